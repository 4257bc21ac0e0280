/**
 * Everything a processor needs to continue exactly where it stopped: the contents of every store AND
 * the input positions (and stream times) those contents reflect. Keeping them in one value, written in
 * one step, is what makes state exactly-once per input position: after a crash, the state and the
 * offsets to resume from can never disagree.
 */
export interface Checkpoint {
  readonly format: 1;
  /** Describes the stores and their configuration; a mismatch means the topology changed. */
  readonly topology: string;
  /** Last processed offset per `topic:partition`, as decimal strings (JSON has no int64). */
  readonly positions: Readonly<Record<string, string>>;
  /** Max event time seen per `topic:partition`. */
  readonly streamTimes: Readonly<Record<string, number>>;
  /** Per windowed aggregation: windows ending (plus grace) at or before this time are closed for good. */
  readonly closedBefore: Readonly<Record<string, number>>;
  /** Records reported late, per aggregation. */
  readonly lateCounts: Readonly<Record<string, number>>;
  readonly stores: Readonly<Record<string, ReadonlyArray<readonly [string, unknown]>>>;
}

/** Where checkpoints live. The processor keeps its working state in memory and hands it over here. */
export interface StateBackend {
  /** True when a checkpoint outlives the process. */
  readonly durable: boolean;
  load(): Checkpoint | undefined;
  save(checkpoint: Checkpoint): void;
  /** Forget everything: the next processor starts from the beginning (a full replay). */
  clear(): void;
}

/**
 * Keeps the latest checkpoint in this process only: for tests, and for users that rebuild state by
 * replaying the topics on every start.
 */
export function memoryState(): StateBackend {
  let latest: Checkpoint | undefined;
  return {
    durable: false,
    load: () => latest,
    save: (checkpoint) => {
      // A JSON round trip, like the durable backend: the copy shares nothing with the live state and
      // loses exactly what a file would lose.
      latest = JSON.parse(JSON.stringify(checkpoint)) as Checkpoint;
    },
    clear: () => {
      latest = undefined;
    },
  };
}
