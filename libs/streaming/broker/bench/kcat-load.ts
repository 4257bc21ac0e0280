// Load generation with kcat (librdkafka): the fastest client on this machine,
// so its figures are the closest to what the broker itself can sustain.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** librdkafka producer tuned for throughput: big batches, short linger, deep queue. */
export const KCAT_PRODUCER_TUNING = [
  '-X',
  'acks=all',
  '-X',
  'linger.ms=5',
  '-X',
  'batch.size=1000000',
  '-X',
  'batch.num.messages=100000',
  '-X',
  'queue.buffering.max.messages=2000000',
  '-X',
  'queue.buffering.max.kbytes=2097151',
  '-X',
  'compression.codec=none',
];

/**
 * The consumer keeps librdkafka's fetch sizes (fetch.max.bytes 50 MB, 1 MB per partition): bigger
 * per-partition fetches measured no faster here and only raised the broker's RSS by ~110 MiB.
 * A short long-poll bound, because with -e the last fetch of each partition finds no data and
 * waits it out before kcat sees the end (librdkafka's default 500 ms would be measured).
 */
export const KCAT_CONSUMER_TUNING: string[] = ['-X', 'fetch.wait.max.ms=10'];

/** Writes `count` lines of `size` printable bytes (one record each, for kcat -P -l). */
export function writeRecordFile(file: string, count: number, size: number): void {
  const line = Buffer.alloc(size + 1);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const fd = fs.openSync(file, 'w');
  const chunk: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < size; j++)
      line[j] = alphabet.charCodeAt((i * 31 + j * 7) % alphabet.length);
    line[size] = 0x0a;
    chunk.push(Buffer.from(line));
    if (chunk.length === 10_000) {
      fs.writeSync(fd, Buffer.concat(chunk));
      chunk.length = 0;
    }
  }
  if (chunk.length) fs.writeSync(fd, Buffer.concat(chunk));
  fs.closeSync(fd);
}

interface Exit {
  code: number | null;
  stdoutBytes: number;
  stderr: string;
  seconds: number;
}

function runKcat(args: string[], timeoutMs: number, countStdoutBytes = false): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('kcat', args, {
      stdio: ['ignore', countStdoutBytes ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdoutBytes, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** Produces the file's lines to `topic`; wall time of the kcat process (startup included). */
export async function kcatProduceFile(
  bootstrap: string,
  topic: string,
  file: string,
  /** librdkafka security settings (`-X security.protocol=SASL_SSL`...), none for PLAINTEXT. */
  security: readonly string[] = [],
): Promise<number> {
  const res = await runKcat(
    ['-P', '-b', bootstrap, '-t', topic, '-l', file, ...KCAT_PRODUCER_TUNING, ...security],
    120_000,
  );
  if (res.code !== 0 || /fail|error/i.test(res.stderr)) {
    throw new Error(`kcat -P exited ${res.code}: ${res.stderr}`);
  }
  return res.seconds;
}

/**
 * Consumes the whole topic from the beginning (no group) until the end of
 * every partition. Each record prints one byte ('-f .'), so the byte count
 * is the record count without the cost of writing payloads to a pipe.
 */
export async function kcatConsumeAll(
  bootstrap: string,
  topic: string,
  timeoutMs: number,
  security: readonly string[] = [],
): Promise<{ records: number; seconds: number }> {
  const res = await runKcat(
    [
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '.',
      ...KCAT_CONSUMER_TUNING,
      ...security,
    ],
    timeoutMs,
    true,
  );
  if (res.code !== 0) throw new Error(`kcat -C exited ${res.code}: ${res.stderr}`);
  return { records: res.stdoutBytes, seconds: res.seconds };
}
