/**
 * `connect-standalone`: one worker running every connector given, until Ctrl-C. A connector that
 * fails stops the others, and the worker exits with its error, as Kafka's standalone worker stops
 * when a connector cannot start.
 */
import type { Client } from '../kafka/client.ts';
import { runSinkConnector, runSourceConnectors } from './run-connectors.ts';
import type { ConnectorConfig, WorkerConfig } from './standalone-config.ts';

export interface StandaloneOptions {
  client: Client;
  worker: WorkerConfig;
  connectors: ConnectorConfig[];
  signal: AbortSignal;
  /** One line of news, already prefixed with the connector's name. */
  log: (line: string) => void;
  pollMs?: number;
}

export interface ConnectorOutcome {
  name: string;
  kind: 'source' | 'sink';
  /** Lines published (source) or written (sink). */
  lines: number;
}

export async function runStandalone(o: StandaloneOptions): Promise<ConnectorOutcome[]> {
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  const logFor = (name: string) => (m: string) => o.log(`${name}: ${m}`);
  const sources = o.connectors.filter((c) => c.kind === 'source');
  const sinks = o.connectors.filter((c) => c.kind === 'sink');
  const runs: Promise<ConnectorOutcome[]>[] = [];
  if (sources.length > 0) {
    runs.push(
      runSourceConnectors(
        o.client,
        sources.map((c) => ({
          name: c.name,
          file: c.file,
          topic: c.topic,
          offsetsTopic: o.worker.offsetsTopic,
          batchSize: c.batchSize,
          pollMs: o.pollMs ?? 200,
          toValue: c.valueConverter.fromLine,
          log: logFor(c.name),
        })),
        stopAll.signal,
      ).then((published) =>
        sources.map((c, i) => ({ name: c.name, kind: c.kind, lines: published[i] })),
      ),
    );
  }
  for (const c of sinks) {
    logFor(c.name)(`writing ${c.topic} to ${c.file}`);
    runs.push(
      runSinkConnector(
        o.client,
        {
          topic: c.topic,
          file: c.file,
          // Kafka Connect names a sink connector's consumer group connect-<connector name>.
          groupId: `connect-${c.name}`,
          toLine: c.valueConverter.toLine,
        },
        { signal: stopAll.signal, log: logFor(c.name) },
      ).then((result) => [{ name: c.name, kind: c.kind, lines: result.count }]),
    );
  }
  try {
    // A connector failing stops the others; every one has stopped (and closed its clients) before
    // the first failure is the answer.
    const outcomes = await Promise.allSettled(
      runs.map((run) =>
        run.catch((err: unknown) => {
          stopAll.abort(err);
          throw err;
        }),
      ),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes.flatMap(
      (outcome) => (outcome as PromiseFulfilledResult<ConnectorOutcome[]>).value,
    );
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
}
