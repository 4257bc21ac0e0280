import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CliError, usageError } from '../errors.ts';
import { out } from './context.ts';

/** The protocol layer loads only when this command runs: the other commands start faster without it. */
async function protocol() {
  const [{ alterUserScramCredentialsV0, describeUserScramCredentialsV0 }, admin] =
    await Promise.all([import('@platformatic/kafka'), import('../kafka/admin-connection.ts')]);
  return { alterUserScramCredentialsV0, describeUserScramCredentialsV0, ...admin };
}

interface UsersOptions {
  describe?: boolean;
  alter?: boolean;
  entityName?: string;
  entityType?: string;
  addConfig?: string;
  deleteConfig?: string;
}

const EXAMPLES = `
Examples:
  $ streaming users --alter --entity-name alice --add-config 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]'
  $ streaming users --alter --entity-name alice --add-config 'SCRAM-SHA-256=[password=a],SCRAM-SHA-512=[password=a]'
  $ streaming users --describe                      # every user with SCRAM credentials
  $ streaming users --describe --entity-name alice
  $ streaming users --alter --entity-name alice --delete-config SCRAM-SHA-512

The password is salted and hashed here (PBKDF2, a fresh random salt); the broker receives and keeps
only the salted form. Iterations: 4096 (default) to 16384.
`;

const MECHANISMS = {
  'SCRAM-SHA-256': { id: 1, hash: 'sha256', size: 32 },
  'SCRAM-SHA-512': { id: 2, hash: 'sha512', size: 64 },
} as const;
type MechanismName = keyof typeof MECHANISMS;
const NAME_BY_ID = new Map<number, MechanismName>([
  [1, 'SCRAM-SHA-256'],
  [2, 'SCRAM-SHA-512'],
]);

export interface ScramConfig {
  mechanism: MechanismName;
  password: string;
  iterations: number;
}

/** `SCRAM-SHA-512=[iterations=8192,password=secret],SCRAM-SHA-256=[password=secret]` (kafka-configs syntax). */
export function parseScramConfigs(text: string): ScramConfig[] {
  const configs: ScramConfig[] = [];
  const re = /\s*(SCRAM-SHA-256|SCRAM-SHA-512)=\[([^\]]*)\]\s*(,|$)/gy;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    at = re.lastIndex;
    const fields = new Map<string, string>();
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw usageError('--add-config: expected key=value pairs inside [...]');
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1));
    }
    for (const key of fields.keys())
      if (key !== 'password' && key !== 'iterations')
        throw usageError(`--add-config: ${key} is not a SCRAM setting (password, iterations)`);
    const password = fields.get('password');
    if (!password) throw usageError(`--add-config: ${m[1]} needs password=...`);
    const iterations = Number(fields.get('iterations') ?? '4096');
    if (!Number.isInteger(iterations) || iterations < 4096 || iterations > 16384)
      throw usageError(`--add-config: ${m[1]} iterations must be an integer from 4096 to 16384`);
    configs.push({ mechanism: m[1] as MechanismName, password, iterations });
    if (m[3] === '') break;
  }
  if (configs.length === 0 || at < text.length)
    throw usageError(
      "--add-config must look like 'SCRAM-SHA-512=[iterations=8192,password=secret]' (several separated by ,)",
    );
  return configs;
}

/** What AlterUserScramCredentials carries for one credential: salt and salted password, never the password. */
export function scramUpsertion(name: string, c: ScramConfig) {
  const m = MECHANISMS[c.mechanism];
  const salt = randomBytes(32);
  return {
    name,
    mechanism: m.id,
    iterations: c.iterations,
    salt,
    saltedPassword: pbkdf2Sync(Buffer.from(c.password, 'utf8'), salt, c.iterations, m.size, m.hash),
  };
}

export function registerUsers(program: Command): void {
  program
    .command('users')
    .description(
      'add, change, list and delete SCRAM users (like kafka-configs.sh --entity-type users)',
    )
    .option(
      '--describe',
      'list the SCRAM mechanisms and iterations of --entity-name (or of every user)',
    )
    .option('--alter', 'change the credentials of --entity-name')
    .option('--entity-name <user>', 'the user')
    .option('--entity-type <type>', 'users (the only entity type here)', 'users')
    .option('--add-config <credentials>', "e.g. 'SCRAM-SHA-512=[iterations=8192,password=secret]'")
    .option('--delete-config <mechanisms>', 'e.g. SCRAM-SHA-512 (or SCRAM-SHA-256,SCRAM-SHA-512)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: UsersOptions, command: Command) => {
      if (options.entityType !== 'users')
        throw usageError(`--entity-type ${options.entityType} is not supported here (users)`);
      if (Boolean(options.describe) === Boolean(options.alter))
        throw usageError('give exactly one of --describe and --alter');
      if (options.describe) return describeUsers(command, options.entityName);
      const name = options.entityName;
      if (!name) throw usageError('--alter needs --entity-name');
      if (!options.addConfig && !options.deleteConfig)
        throw usageError('--alter needs --add-config and/or --delete-config');
      const upsertions = options.addConfig
        ? parseScramConfigs(options.addConfig).map((c) => scramUpsertion(name, c))
        : [];
      const deletions = (options.deleteConfig ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((mechanism) => {
          if (!(mechanism in MECHANISMS))
            throw usageError(`--delete-config: ${mechanism} is not SCRAM-SHA-256 or SCRAM-SHA-512`);
          return { name, mechanism: MECHANISMS[mechanism as MechanismName].id };
        });
      await alterUsers(command, name, deletions, upsertions);
    });
}

async function alterUsers(
  command: Command,
  name: string,
  deletions: Array<{ name: string; mechanism: number }>,
  upsertions: ReturnType<typeof scramUpsertion>[],
): Promise<void> {
  const { withAdminConnection, responseOf, alterUserScramCredentialsV0 } = await protocol();
  const response = await withAdminConnection(command, (c) =>
    alterUserScramCredentialsV0.api
      .async(c, deletions, upsertions)
      .catch((err: unknown) =>
        responseOf<Awaited<ReturnType<typeof alterUserScramCredentialsV0.api.async>>>(err),
      ),
  );
  const failed = response.results.find((r) => r.errorCode !== 0);
  if (failed)
    throw new CliError(
      failed.errorCode === 31 ? 'NOT_AUTHORIZED' : 'KAFKA_ERROR',
      `cannot update user ${name}: ${failed.errorMessage ?? `error ${failed.errorCode}`}${failed.errorCode === 31 ? ' (CLUSTER_AUTHORIZATION_FAILED: needs ALTER on the cluster)' : ''}`,
    );
  out(`Completed updating config for user ${name}.\n`);
}

async function describeUsers(command: Command, name: string | undefined): Promise<void> {
  const { withAdminConnection, responseOf, describeUserScramCredentialsV0 } = await protocol();
  const response = await withAdminConnection(command, (c) =>
    describeUserScramCredentialsV0.api
      .async(c, name ? [{ name }] : null)
      .catch((err: unknown) =>
        responseOf<Awaited<ReturnType<typeof describeUserScramCredentialsV0.api.async>>>(err),
      ),
  );
  if (response.errorCode !== 0)
    throw new CliError(
      response.errorCode === 31 ? 'NOT_AUTHORIZED' : 'KAFKA_ERROR',
      `cannot describe users: ${response.errorMessage ?? `error ${response.errorCode}`}${response.errorCode === 31 ? ' (CLUSTER_AUTHORIZATION_FAILED: needs DESCRIBE on the cluster)' : ''}`,
    );
  for (const r of response.results) {
    if (r.errorCode === 91)
      throw new CliError('KAFKA_ERROR', `user ${r.user} has no SCRAM credentials`);
    if (r.errorCode !== 0) throw new CliError('KAFKA_ERROR', `user ${r.user}: ${r.errorMessage}`);
    const list = r.credentialInfos
      .map(
        (i) =>
          `${NAME_BY_ID.get(i.mechanism) ?? `mechanism ${i.mechanism}`}=iterations=${i.iterations}`,
      )
      .join(', ');
    out(`SCRAM credential configs for user-principal '${r.user}' are ${list}\n`);
  }
}
