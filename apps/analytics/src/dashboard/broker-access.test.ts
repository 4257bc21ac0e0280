import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessOf } from '@retail-streams/contracts';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { participantAcls, replaceAcls } from '@retail-streams/streaming-client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerAccessMonitor } from './broker-access.ts';

describe('BrokerAccessMonitor', () => {
  const dirs: string[] = [];
  const brokers: RunningBroker[] = [];
  let secured: RunningBroker;

  async function broker(authorizer: boolean): Promise<RunningBroker> {
    const logDir = mkdtempSync(join(tmpdir(), 'dashboard-access-'));
    dirs.push(logDir);
    // The monitor's own connection is anonymous here, so ANONYMOUS is the operator (super user).
    const started = await startBroker({
      port: 0,
      logDir,
      ...(authorizer ? { authorizer: { superUsers: ['User:ANONYMOUS'] } } : {}),
    });
    brokers.push(started);
    return started;
  }

  beforeAll(async () => {
    secured = await broker(true);
    const admin = new Kafka({ brokers: [secured.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await replaceAcls(admin, ['User:sales'], participantAcls(accessOf('sales')));
    await admin.disconnect();
  });

  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("shows each principal with what the broker's ACLs let it do, per operation", async () => {
    const monitor = new BrokerAccessMonitor({
      brokers: [secured.bootstrap],
      security: { protocol: 'PLAINTEXT' },
    });
    try {
      const snapshot = await monitor.snapshot();
      expect(snapshot.authorizer).toBe(true);
      expect(snapshot.principals).toEqual([
        {
          principal: 'User:sales',
          rules: [
            {
              operation: 'WRITE',
              permission: 'ALLOW',
              resources: [
                'topic inventory.reservation-result.dlq.sales*',
                'topic sales.order-placed',
              ],
            },
            {
              operation: 'READ',
              permission: 'ALLOW',
              resources: [
                'group sales*',
                'topic inventory.reservation-result',
                'topic sales.order-placed',
              ],
            },
            {
              operation: 'CREATE',
              permission: 'ALLOW',
              resources: [
                'topic inventory.reservation-result',
                'topic inventory.reservation-result.dlq.sales*',
                'topic sales.order-placed',
              ],
            },
          ],
        },
      ]);
    } finally {
      await monitor.close();
    }
  });

  it('says so when the broker checks no ACLs at all', async () => {
    const open = await broker(false);
    const monitor = new BrokerAccessMonitor({
      brokers: [open.bootstrap],
      security: { protocol: 'PLAINTEXT' },
    });
    try {
      expect(await monitor.snapshot()).toMatchObject({ authorizer: false, principals: [] });
    } finally {
      await monitor.close();
    }
  });
});
