// `npm run reset`: wipes the demo's data folder (PostgreSQL cluster, broker logs, access logs).
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir, processAlive } from '@retail-streams/demo-stack';

const dataDir = resolve(process.argv[2] ?? defaultDataDir);
const lock = join(dataDir, 'postgres', 'postmaster.pid');
if (existsSync(lock)) {
  const { readFileSync } = await import('node:fs');
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    process.stderr.write(
      `reset: PostgreSQL (pid ${pid}) is still running on ${dataDir}: stop the demo (Ctrl-C) first\n`,
    );
    process.exit(1);
  }
}
if (!existsSync(dataDir)) {
  process.stdout.write(`reset: nothing to wipe (${dataDir} does not exist)\n`);
} else {
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`reset: wiped ${dataDir}\n`);
}
