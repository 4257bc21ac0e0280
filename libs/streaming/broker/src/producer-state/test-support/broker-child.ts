// Test support: a broker in its own process, so a test can kill -9 it (no shutdown hooks, no snapshots).
// Usage: node broker-child.ts <logDir> [logCleanerBackoffMs] [transactionCheckIntervalMs]; prints
// "ready <port>" once clients can connect.
import { startBroker } from '../../broker.ts';

const logDir = process.argv[2];
if (!logDir) throw new Error('usage: broker-child.ts <logDir>');
const backoff = process.argv[3];
const txnCheck = process.argv[4];
const broker = await startBroker({
  port: 0,
  host: '127.0.0.1',
  logDir,
  ...(backoff ? { logCleanerBackoffMs: Number(backoff) } : {}),
  ...(txnCheck ? { transactionCheckIntervalMs: Number(txnCheck) } : {}),
});
process.stdout.write(`ready ${broker.port}\n`);
setInterval(() => undefined, 1 << 30);
