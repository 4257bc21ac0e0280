import { describe, expect, it } from 'vitest';
import { ReadinessChecks } from './index.ts';

describe('ReadinessChecks', () => {
  it('is ready with no checks registered', async () => {
    expect(await new ReadinessChecks().run()).toEqual({ status: 'ready', checks: {} });
  });

  it('reports a check that returns false or throws as down, with the reason', async () => {
    const readiness = new ReadinessChecks();
    readiness.add('broker', () => false);
    readiness.add('database', async () => {
      throw new Error('ECONNREFUSED');
    });
    readiness.add('consumers', () => undefined);
    const report = await readiness.run();
    expect(report.status).toBe('not_ready');
    expect(report.checks['broker']).toMatchObject({
      status: 'down',
      error: 'check reported not ready',
    });
    expect(report.checks['database']).toMatchObject({ status: 'down', error: 'ECONNREFUSED' });
    expect(report.checks['consumers']).toMatchObject({ status: 'up' });
  });

  it('reports a hung check as down instead of hanging the probe', async () => {
    const readiness = new ReadinessChecks({ timeoutMs: 20 });
    readiness.add('broker', () => new Promise<never>(() => undefined));
    const report = await readiness.run();
    expect(report.checks['broker']).toMatchObject({
      status: 'down',
      error: 'timed out after 20 ms',
    });
  });

  it('reports not ready once shutting down, even with every check up', async () => {
    const readiness = new ReadinessChecks();
    readiness.add('database', () => true);
    readiness.markShuttingDown();
    expect(await readiness.run()).toMatchObject({ status: 'not_ready', shuttingDown: true });
  });

  it('removes a check through the function add returned', async () => {
    const readiness = new ReadinessChecks();
    const remove = readiness.add('consumers', () => false);
    remove();
    expect(await readiness.run()).toEqual({ status: 'ready', checks: {} });
  });
});
