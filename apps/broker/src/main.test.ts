import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

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

function run(args: string[]): Run {
  const child = spawn(NODE, [MAIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
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
});
