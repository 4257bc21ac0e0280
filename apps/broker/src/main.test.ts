import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vanishingOutput } from '@retail-streams/service-kit/testing';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';

const { Kafka, logLevel } = kafkajs;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(REPO, 'apps/broker/src/main.ts');
const NODE = fs.existsSync(path.join(REPO, 'node_modules/.bin/node'))
  ? path.join(REPO, 'node_modules/.bin/node')
  : process.execPath;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-main-'));
  dirs.push(d);
  return d;
}

interface Run {
  stdout: () => string;
  stderr: () => string;
  ready: Promise<string>;
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function run(args: string[], script = MAIN): Run {
  const child = spawn(NODE, [script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^broker ready on (\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`exited ${code} before ready: ${err}`)));
  });
  // Observed through `exit` in tests that expect a failure.
  ready.catch(() => undefined);
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout: () => out, stderr: () => err, ready, exit, kill: (s) => child.kill(s) };
}

describe('broker process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints exactly one ready line, serves, and exits 0 on %s',
    async (signal) => {
      const p = run(['--port', '0', '--log-dir', tempDir()]);
      const bootstrap = await p.ready;
      expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
      p.kill(signal);
      expect(await p.exit).toBe(0);
      expect(p.stdout()).toBe(`broker ready on ${bootstrap}\n`);
      // Logs are pino JSON lines on stderr.
      const lines = p.stderr().trim().split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    },
  );

  it('reads server.properties and lets flags override it', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'server.properties');
    fs.writeFileSync(
      config,
      `listeners=PLAINTEXT://127.0.0.1:1\nlog.dirs=${path.join(dir, 'logs')}\nnode.id=9\nunknown.key=1\n`,
    );
    const p = run(['--config', config, '--port', '0']);
    await p.ready;
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(fs.existsSync(path.join(dir, 'logs'))).toBe(true);
    expect(p.stderr()).toContain('unknown broker property');
  });

  it('exits 1 with a one-line message on a bad flag', async () => {
    const p = run(['--port', 'nope']);
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toMatch(/^broker: --port must be an integer/);
    expect(p.stderr()).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with a one-line message when the log dir is unusable', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    const p = run(['--port', '0', '--log-dir', path.join(file, 'sub')]);
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toMatch(/broker: cannot start/);
    expect(p.stderr()).not.toMatch(/\n\s+at /);
  });

  it('prints usage for --help and exits 0', async () => {
    const p = run(['--help']);
    expect(await p.exit).toBe(0);
    expect(p.stdout()).toContain('Usage: broker');
  });

  it('logs each created topic once, whether created by CreateTopics or on first use', async () => {
    const p = run(['--port', '0', '--log-dir', tempDir()]);
    const bootstrap = await p.ready;
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'made-by-admin' }] });
      await producer.connect();
      await producer.send({ topic: 'made-on-first-use', messages: [{ value: 'x' }] });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    p.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    const records = p
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; topic?: string });
    const about = (topic: string) =>
      records.filter((r) => r.topic === topic && /created/.test(r.msg)).map((r) => r.msg);
    expect(about('made-by-admin')).toEqual(['created topic']);
    expect(about('made-on-first-use')).toEqual(['auto-created topic']);
  });
});

describe('broker process without its output', () => {
  it('finishes a SIGTERM shutdown within 10 s when stdout and stderr are a socket nobody reads', async () => {
    const output = await vanishingOutput();
    const child = spawn(NODE, [MAIN, '--port', '0', '--log-dir', tempDir()], {
      cwd: REPO,
      stdio: ['ignore', output.socket, output.socket],
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      const deadline = Date.now() + 60_000;
      while (!output.text().includes('broker ready on') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 25));
      // Whoever held its output (an orchestrator killed with -9, a closed terminal) is gone.
      output.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGTERM');
      const outcome = await Promise.race([
        exited.then(([code, signal]) => ({ code, signal })),
        new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000)),
      ]);
      expect(outcome).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe("Kafka's server scripts", () => {
  const START = path.join(REPO, 'apps/broker/bin/kafka-server-start.js');
  const ZOOKEEPER = path.join(REPO, 'apps/broker/bin/zookeeper-server-start.js');

  it('kafka-server-start reads server.properties and --override, and logs readable lines', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'server.properties');
    fs.writeFileSync(
      config,
      `listeners=PLAINTEXT://127.0.0.1:1\nlog.dirs=${path.join(dir, 'ignored')}\nbroker.id=0\n` +
        `zookeeper.connect=localhost:2181\n`,
    );
    const logs = path.join(dir, 'logs');
    const p = run(
      [config, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${logs}`],
      START,
    );
    const bootstrap = await p.ready;
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    p.kill('SIGINT');
    expect(await p.exit).toBe(0);
    expect(fs.existsSync(logs)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'ignored'))).toBe(false);
    const lines = p.stderr().trim().split('\n');
    for (const line of lines)
      expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] (INFO|WARN) \S/);
    expect(lines).toContainEqual(expect.stringMatching(/\] INFO broker started \(listen=127/));
  });

  it('kafka-server-start without a properties file prints its usage and exits 1', async () => {
    const p = run([], START);
    expect(await p.exit).toBe(1);
    expect(p.stdout()).toMatch(/^USAGE: kafka-server-start \[-daemon\] server.properties/);
  });

  it('zookeeper-server-start says in one line that there is nothing to start', async () => {
    const p = run(['config/zookeeper.properties'], ZOOKEEPER);
    expect(await p.exit).toBe(0);
    expect(p.stderr()).toMatch(/^zookeeper-server-start: this broker needs no ZooKeeper.*\n$/);
  });
});
