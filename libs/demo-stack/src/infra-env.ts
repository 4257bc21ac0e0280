import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaPasswords } from './broker-security.ts';
import type { PortMap } from './ports.ts';
import { SERVICE_NAMES, serviceEnv } from './services.ts';

/**
 * Writes `<dataDir>/env/<service>.env` (and `infra.env` with what every service shares), for
 * `node --env-file=… --watch src/main.ts`: one service in watch mode runs with exactly the
 * environment `npm start` would give it, against the infrastructure `npm run infra` started.
 */
export function writeInfraEnvFiles(
  dataDir: string,
  ports: PortMap,
  logLevel: string,
  options: { secured?: boolean } = {},
): string[] {
  const dir = join(dataDir, 'env');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  // The same users and passwords as the broker `npm run infra` started (kept in the data folder).
  const passwords = options.secured === false ? undefined : kafkaPasswords(dataDir);
  for (const name of SERVICE_NAMES) {
    const env = serviceEnv(name, {
      ports,
      accessLogDir: join(dataDir, 'logs'),
      logLevel,
      passwords,
    });
    const file = join(dir, `${name}.env`);
    // 0600: the file holds the service's broker password.
    writeFileSync(file, envFileText(env, `${name}: written by npm run infra`), { mode: 0o600 });
    written.push(file);
  }
  // What tools share: the operator listener, which needs no credentials (see broker-security.ts).
  const shared = serviceEnv('sales', { ports, accessLogDir: join(dataDir, 'logs'), logLevel });
  const infra = join(dataDir, 'infra.env');
  writeFileSync(
    infra,
    envFileText(
      {
        KAFKA_BROKERS: shared.KAFKA_BROKERS as string,
        POSTGRES_ADMIN_URL: shared.POSTGRES_ADMIN_URL as string,
      },
      'shared infrastructure: written by npm run infra',
    ),
  );
  written.push(infra);
  return written;
}

export function envFileText(env: Record<string, string>, comment: string): string {
  return (
    `# ${comment}\n` +
    Object.entries(env)
      .map(([key, value]) => `${key}=${/[\s#"']/.test(value) ? JSON.stringify(value) : value}`)
      .join('\n') +
    '\n'
  );
}
