import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines naming the service, with the level as a word and an ISO time', () => {
    const { lines, destination } = capture();
    createLogger('inventory', { destination, env: {} }).info({ sku: 'A-1' }, 'stock reserved');
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'inventory',
        level: 'info',
        msg: 'stock reserved',
        sku: 'A-1',
      }),
    ]);
    expect(String(lines[0]?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('takes its level from LOG_LEVEL', () => {
    const { lines, destination } = capture();
    const logger = createLogger('inventory', { destination, env: { LOG_LEVEL: 'warn' } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line['msg'])).toEqual(['shown']);
  });

  it('falls back to info on an unknown LOG_LEVEL and says so', () => {
    const { lines, destination } = capture();
    const logger = createLogger('inventory', { destination, env: { LOG_LEVEL: 'loud' } });
    logger.debug('hidden');
    expect(logger.level).toBe('info');
    expect(lines[0]).toMatchObject({ level: 'warn', requested: 'loud' });
  });
});
