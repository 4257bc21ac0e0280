import type { StreamRecord } from '../record.ts';

/** Builds input records for tests, giving each partition its own increasing offsets. */
export class RecordFactory {
  readonly #nextOffset = new Map<string, bigint>();

  record<V>(
    topic: string,
    timestamp: number,
    key: string | null,
    value: V,
    partition = 0,
  ): StreamRecord<V> {
    const id = `${topic}:${partition}`;
    const offset = this.#nextOffset.get(id) ?? 0n;
    this.#nextOffset.set(id, offset + 1n);
    return { topic, partition, offset, timestamp, key, value };
  }
}

/** A small deterministic pseudo-random generator, so "random" test input is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export const MINUTE = 60_000;
