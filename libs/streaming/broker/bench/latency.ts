// End-to-end latency at a fixed rate: kafkajs produces one record at a time
// (acks=all, no batching), each carrying its send time; a kcat consumer
// (no group, long-poll fetch) prints every value as soon as it is fetched and
// the bench takes the difference on arrival. Same machine, same clock.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { kafkajsClient } from './kafkajs-load.ts';

export interface LatencyResult {
  rate: number;
  /** The consumer's long-poll bound: a fetch the broker fails to wake early waits this long. */
  fetchWaitMaxMs: number;
  samples: number;
  warmupDiscarded: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Share of samples above 5 ms: tells one long stall (few) from a slow path (many). */
  over5msShare: number;
  /** Runs of consecutive samples above 5 ms, in arrival order: each is one stall of the pipeline. */
  stallEpisodes: number;
}

function countStallEpisodes(inArrivalOrder: number[], thresholdMs: number): number {
  let episodes = 0;
  let inStall = false;
  for (const v of inArrivalOrder) {
    if (v > thresholdMs && !inStall) episodes++;
    inStall = v > thresholdMs;
  }
  return episodes;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

export async function measureLatency(
  bootstrap: string,
  topic: string,
  rate: number,
  seconds: number,
  warmup: number,
  fetchWaitMaxMs = 100,
): Promise<LatencyResult> {
  const total = Math.round(rate * seconds) + warmup;
  const consumer = spawn(
    'kcat',
    [
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-o',
      'beginning',
      '-u',
      '-q',
      '-f',
      '%s\n',
      '-c',
      String(total),
      '-X',
      `fetch.wait.max.ms=${fetchWaitMaxMs}`,
      '-X',
      'fetch.error.backoff.ms=10',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const latencies: number[] = [];
  const received = new Promise<void>((resolve) => {
    const lines = readline.createInterface({ input: consumer.stdout });
    lines.on('line', (line) => {
      const sentAt = Number(line.split('|')[0]);
      latencies.push(performance.timeOrigin + performance.now() - sentAt);
      if (latencies.length >= total) resolve();
    });
    consumer.on('close', () => resolve());
  });

  const producer = kafkajsClient(bootstrap, 'bench-latency').producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  // Let kcat connect and issue its first fetch before the clock starts.
  await new Promise((r) => setTimeout(r, 1_000));
  const pad = 'p'.repeat(80);
  const t0 = performance.now();
  let sent = 0;
  const pending = new Set<Promise<unknown>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (sent < due) {
      const value = `${performance.timeOrigin + performance.now()}|${pad}`;
      const p = producer
        .send({ topic, acks: -1, messages: [{ value }] })
        .finally(() => pending.delete(p));
      pending.add(p);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const timeout = new Promise<void>((r) => setTimeout(r, 15_000));
  await Promise.race([received, timeout]);
  consumer.kill('SIGTERM');
  await producer.disconnect();

  const arrival = latencies.slice(warmup);
  const measured = [...arrival].sort((a, b) => a - b);
  return {
    rate,
    fetchWaitMaxMs,
    samples: measured.length,
    warmupDiscarded: Math.min(warmup, latencies.length),
    p50Ms: percentile(measured, 50),
    p90Ms: percentile(measured, 90),
    p99Ms: percentile(measured, 99),
    p999Ms: percentile(measured, 99.9),
    stallEpisodes: countStallEpisodes(arrival, 5),
    over5msShare: measured.length ? measured.filter((v) => v > 5).length / measured.length : NaN,
    maxMs: measured.at(-1) ?? NaN,
  };
}
