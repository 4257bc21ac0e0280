import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnBroker } from './broker-process.ts';
import { createTopic } from './kafkajs-load.ts';
import { measureLatency } from './latency.ts';
const b = await spawnBroker(fs.mkdtempSync(path.join(os.tmpdir(), 'lat-')));
for (const w of [500, 100, 20]) {
  await createTopic(b.bootstrap, `lat${w}`, 1);
  const r = await measureLatency(b.bootstrap, `lat${w}`, 1000, 4, 300, w);
  console.log(JSON.stringify(r), 'load', os.loadavg()[0]);
}
await b.stop();
process.exit(0);
