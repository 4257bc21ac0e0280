// Test support: an embedded broker in the test process and the real `streaming` binary as a child
// process against it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '@retail-streams/streaming-broker';
import type { RunningBroker } from '@retail-streams/streaming-broker';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BIN = path.join(REPO, 'apps/cli/bin/streaming.js');
export const NODE = fs.existsSync(path.join(REPO, 'node_modules/.bin/node'))
  ? path.join(REPO, 'node_modules/.bin/node')
  : process.execPath;

export function tempDir(prefix = 'streaming-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestBroker {
  broker: RunningBroker;
  bootstrap: string;
  close(): Promise<void>;
}

export async function startTestBroker(
  options: { autoCreateTopics?: boolean } = {},
): Promise<TestBroker> {
  const logDir = tempDir('streaming-cli-broker-');
  const broker = await startBroker({ port: 0, logDir, ...options });
  return {
    broker,
    bootstrap: broker.bootstrap,
    close: async () => {
      await broker.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout+stderr so far match. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exit: Promise<CliResult>;
  write(text: string): void;
  end(): void;
}

export function spawnCli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const child = spawn(NODE, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; stream?: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of waiters.slice()) {
      const text = w.stream === 'stdout' ? out : w.stream === 'stderr' ? err : out + err;
      if (w.pattern.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exit = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  if (options.input !== undefined) {
    child.stdin.end(options.input);
  }
  return {
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, stream) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, stream, resolve });
        check();
        void exit.then((r) =>
          reject(
            new Error(`exited (${r.code ?? r.signal}) before ${pattern}: ${r.stdout}\n${r.stderr}`),
          ),
        );
      }),
    kill: (signal) => child.kill(signal),
    exit,
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
  };
}

/** Runs one command to completion; stdin is closed at once unless `input` is given. */
export function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return spawnCli(args, { ...options, input: options.input ?? '' }).exit;
}
