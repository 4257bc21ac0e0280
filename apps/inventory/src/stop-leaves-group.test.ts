import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  startInventoryTestbed,
  type InventoryTestbed,
} from './test-support/inventory-testbed.ts';

let testbed: InventoryTestbed;

beforeAll(async () => {
  testbed = await startInventoryTestbed();
});
afterAll(async () => {
  await testbed?.stop();
});

describe('stopping inventory', () => {
  // Why it matters: the broker keeps a member that never left (it persists the group with its
  // members), so a member killed before it left makes the next start wait a whole session timeout
  // in JoinGroup. A drain that waits for slow requests must not come first.
  it('leaves its consumer group before the HTTP server drains the requests in flight', async () => {
    const inventory = await testbed.startInventory('stop-leaves-group');
    const admin = testbed.kafka.admin();
    await admin.connect();
    try {
      const members = async () =>
        (await admin.describeGroups(['inventory'])).groups[0]?.members.length ?? 0;
      await eventually('inventory in its group', async () => (await members()) === 1);

      // A request whose body is still on its way: the drain waits for it (up to its grace).
      const { port } = new URL(inventory.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        'POST /reservations HTTP/1.1\r\nHost: inventory\r\nContent-Type: application/json\r\n' +
          'Content-Length: 200\r\n\r\n{"orderId":',
      );
      let drained = false;
      socket.on('close', () => (drained = true));
      socket.on('error', () => undefined);

      const stopped = inventory.stop();
      await eventually('inventory left its group', async () => (await members()) === 0);
      expect(drained).toBe(false);
      await stopped;
      expect(drained).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});
