import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./test-fixtures/run-service-child.ts', import.meta.url));

function run(
  mode: string,
  signal?: NodeJS.Signals,
): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (signal && stdout.includes('fixture started')) proc.kill(signal);
    });
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, lines: stdout.split('\n').filter(Boolean) }));
  });
}

function logged(lines: string[]): { level?: string; msg?: string; code?: string }[] {
  return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

describe('runService', () => {
  it('starts, logs that it started, and shuts down cleanly on SIGTERM', async () => {
    const result = await run('ok', 'SIGTERM');
    expect(result.code).toBe(0);
    expect(result.lines).toContain('step:database pool');
    expect(logged(result.lines).map((line) => line.msg)).toEqual(
      expect.arrayContaining(['fixture started', 'shutdown complete']),
    );
  });

  it('exits 1 with one fatal line naming every configuration problem', async () => {
    const result = await run('bad-config');
    expect(result.code).toBe(1);
    const fatal = logged(result.lines).find((line) => line.level === 'fatal');
    expect(fatal?.code).toBe('CONFIG_INVALID');
    expect(fatal?.msg).toContain('DATABASE_URL');
    expect(fatal?.msg).toContain('PORT');
    // What was set up before the failure is still taken down.
    expect(result.lines).toContain('step:database pool');
  });

  it('turns a crash after start-up into a fatal log line, shutdown and exit 1', async () => {
    const result = await run('crash-later');
    expect(result.code).toBe(1);
    const fatal = logged(result.lines).find((line) => line.level === 'fatal');
    expect(fatal?.msg).toContain('poisoned state');
    expect(result.lines).toContain('step:database pool');
  });
});
