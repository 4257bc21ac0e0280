// Test support: a real broker on an ephemeral port over a fresh temp dir, plus wire clients to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker } from '../../broker.ts';
import type { BrokerOptions, RunningBroker } from '../../broker.ts';
import { WireClient } from './wire-client.ts';

export interface TestBroker {
  broker: RunningBroker;
  logDir: string;
  connect(): Promise<WireClient>;
  /** Closes clients and the broker; keeps the log dir unless `removeDir`. */
  stop(): Promise<void>;
  /** Stops and removes the log dir. */
  close(): Promise<void>;
}

export async function startTestBroker(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'broker-test-'));
  const broker = await startBroker({ port: 0, host: '127.0.0.1', ...options, logDir });
  const clients: WireClient[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(clients.map((c) => c.close()));
    await broker.close();
  };
  return {
    broker,
    logDir,
    async connect() {
      const c = await WireClient.connect(broker.port);
      clients.push(c);
      return c;
    },
    stop,
    async close() {
      await stop();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}
