import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { ShutdownRegistry } from './index.ts';

const silent = createLogger('test', { level: 'silent' });

function neverSettles(): void {
  // A step that hangs forever: its promise is never resolved.
}

describe('ShutdownRegistry', () => {
  it('runs steps in reverse order of registration', async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    registry.onShutdown('database', () => void ran.push('database'));
    registry.onShutdown('consumers', async () => void ran.push('consumers'));
    registry.onShutdown('http', () => void ran.push('http'));
    expect(await registry.run({ logger: silent })).toEqual({ ok: true, failed: [] });
    expect(ran).toEqual(['http', 'consumers', 'database']);
  });

  it('keeps going after a failing step and reports it', async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    registry.onShutdown('database', () => void ran.push('database'));
    registry.onShutdown('consumers', () => {
      throw new Error('stuck');
    });
    expect(await registry.run({ logger: silent })).toEqual({ ok: false, failed: ['consumers'] });
    expect(ran).toEqual(['database']);
  });

  it('gives up on a step that outlives the budget and skips the rest', async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    registry.onShutdown('database', () => void ran.push('database'));
    registry.onShutdown('hangs', () => new Promise<never>(neverSettles));
    const outcome = await registry.run({ logger: silent, timeoutMs: 20 });
    expect(outcome).toEqual({ ok: false, failed: [], timedOut: 'hangs' });
    expect(ran).toEqual([]);
  });

  it('runs only once, however often it is asked', async () => {
    const registry = new ShutdownRegistry();
    let runs = 0;
    registry.onShutdown('count', () => void runs++);
    await Promise.all([registry.run({ logger: silent }), registry.run({ logger: silent })]);
    expect(runs).toBe(1);
  });

  it('forgets an unregistered step', async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    const remove = registry.onShutdown('closed early', () => void ran.push('closed early'));
    registry.onShutdown('kept', () => void ran.push('kept'));
    remove();
    await registry.run({ logger: silent });
    expect(ran).toEqual(['kept']);
  });

  it('logs each step', async () => {
    const lines: string[] = [];
    const logger = createLogger('test', {
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const registry = new ShutdownRegistry();
    registry.onShutdown('database', () => undefined);
    await registry.run({ logger });
    expect(lines.join('')).toContain('shutdown step \\"database\\" done');
  });
});

const child = fileURLToPath(new URL('./test-fixtures/shutdown-child.ts', import.meta.url));

/** Starts the fixture service, sends it the signals once it is ready, and collects what it printed. */
function runChild(
  mode: string,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; steps: string[]; log: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sent = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && stdout.includes('ready\n')) {
        sent = true;
        proc.kill(signals[0]);
        // The second signal goes once the first step has visibly started, so it hits a running shutdown.
        if (signals[1]) {
          const second = signals[1];
          const poll = setInterval(() => {
            if (stdout.includes('step:http server')) {
              clearInterval(poll);
              proc.kill(second);
            }
          }, 5);
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const steps = stdout
        .split('\n')
        .filter((line) => line.startsWith('step:'))
        .map((line) => line.slice('step:'.length));
      resolve({ code, steps, log: stdout });
    });
  });
}

describe('installSignalHandlers', () => {
  it('runs the steps in reverse order on SIGTERM and exits 0', async () => {
    const result = await runChild('ok', ['SIGTERM']);
    expect(result.steps).toEqual(['http server', 'consumers', 'database pool']);
    expect(result.code).toBe(0);
    expect(result.log).toContain('shutdown complete');
  });

  it.each(['SIGINT', 'SIGHUP'] as const)(
    'handles %s (Ctrl-C, a closed terminal) the same way',
    async (signal) => {
      const result = await runChild('ok', [signal]);
      expect(result.steps).toEqual(['http server', 'consumers', 'database pool']);
      expect(result.code).toBe(0);
    },
  );

  it('exits 1 when a step fails, after running the others', async () => {
    const result = await runChild('failing', ['SIGTERM']);
    expect(result.steps).toEqual(['http server', 'consumers', 'database pool']);
    expect(result.code).toBe(1);
  });

  it('exits 1 at once on a second signal while a step hangs', async () => {
    const result = await runChild('hanging', ['SIGTERM', 'SIGTERM']);
    expect(result.steps).toEqual(['http server']);
    expect(result.code).toBe(1);
    expect(result.log).toContain('exiting without waiting');
  });
});
