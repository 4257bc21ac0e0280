import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readMetadataFile, writeMetadataFile } from '../storage/metadata-file.ts';
import { SCRAM_MECHANISMS, scramMechanismByName } from './scram.ts';
import type { ScramCredential, ScramMechanism } from './scram.ts';

export const SCRAM_CREDENTIALS_FILE = '__scram_credentials.json';

/** One change of an AlterUserScramCredentials request (already validated). */
export type ScramChange =
  | { kind: 'upsert'; user: string; mechanism: ScramMechanism; credential: ScramCredential }
  | { kind: 'delete'; user: string; mechanism: ScramMechanism };

interface StoredCredential {
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

interface CredentialsFile {
  version: 1;
  /** A per-broker secret that makes the salts shown for unknown users stable. */
  fakeSaltKey: string;
  users: Record<string, Record<string, StoredCredential>>;
}

/**
 * The SCRAM credentials of every user, kept as Kafka keeps them: salt, StoredKey, ServerKey and
 * iteration count per mechanism, never the password. They live in `<logDir>/__scram_credentials.json`
 * (mode 0600), replaced atomically on each change, so they survive restarts.
 */
export class ScramCredentialStore {
  readonly #file: string;
  readonly #users: Map<string, Map<string, ScramCredential>>;
  readonly fakeSaltKey: Buffer;

  private constructor(file: string, data: CredentialsFile) {
    this.#file = file;
    this.fakeSaltKey = Buffer.from(data.fakeSaltKey, 'base64');
    this.#users = new Map(
      Object.entries(data.users).map(([user, byMechanism]) => [
        user,
        new Map(
          Object.entries(byMechanism).map(([mechanism, c]) => [
            mechanism,
            {
              salt: Buffer.from(c.salt, 'base64'),
              storedKey: Buffer.from(c.storedKey, 'base64'),
              serverKey: Buffer.from(c.serverKey, 'base64'),
              iterations: c.iterations,
            },
          ]),
        ),
      ]),
    );
  }

  static open(logDir: string): ScramCredentialStore {
    const file = path.join(logDir, SCRAM_CREDENTIALS_FILE);
    const empty: CredentialsFile = {
      version: 1,
      fakeSaltKey: randomBytes(32).toString('base64'),
      users: {},
    };
    return new ScramCredentialStore(file, readMetadataFile(file, parseCredentialsFile, empty));
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.#users.get(user)?.get(mechanism.name);
  }

  /** Users with at least one credential, sorted. */
  users(): string[] {
    return [...this.#users.keys()].sort();
  }

  /** The mechanisms and iteration counts of a user's credentials ([] if none). */
  describe(user: string): Array<{ mechanism: ScramMechanism; iterations: number }> {
    const byMechanism = this.#users.get(user);
    if (!byMechanism) return [];
    return SCRAM_MECHANISMS.filter((m) => byMechanism.has(m.name)).map((m) => ({
      mechanism: m,
      iterations: byMechanism.get(m.name)!.iterations,
    }));
  }

  /** Applies the changes and persists them in one atomic write (all or none). */
  apply(changes: readonly ScramChange[]): void {
    if (changes.length === 0) return;
    const next = new Map([...this.#users].map(([u, m]) => [u, new Map(m)]));
    for (const change of changes) {
      const byMechanism = next.get(change.user) ?? new Map<string, ScramCredential>();
      if (change.kind === 'upsert') byMechanism.set(change.mechanism.name, change.credential);
      else byMechanism.delete(change.mechanism.name);
      if (byMechanism.size === 0) next.delete(change.user);
      else next.set(change.user, byMechanism);
    }
    this.#write(next);
    this.#users.clear();
    for (const [u, m] of next) this.#users.set(u, m);
  }

  #write(users: Map<string, Map<string, ScramCredential>>): void {
    const data: CredentialsFile = {
      version: 1,
      fakeSaltKey: this.fakeSaltKey.toString('base64'),
      users: Object.fromEntries(
        [...users].map(([user, byMechanism]) => [
          user,
          Object.fromEntries(
            [...byMechanism].map(([mechanism, c]) => [
              mechanism,
              {
                salt: c.salt.toString('base64'),
                storedKey: c.storedKey.toString('base64'),
                serverKey: c.serverKey.toString('base64'),
                iterations: c.iterations,
              },
            ]),
          ),
        ]),
      ),
    };
    writeMetadataFile(this.#file, data, 0o600);
  }
}

function parseCredentialsFile(data: unknown): CredentialsFile {
  const d = data as Partial<CredentialsFile> | null;
  if (
    !d ||
    d.version !== 1 ||
    typeof d.fakeSaltKey !== 'string' ||
    typeof d.users !== 'object' ||
    d.users === null
  )
    throw new Error('unknown format');
  for (const [user, byMechanism] of Object.entries(d.users)) {
    for (const [mechanism, c] of Object.entries(byMechanism)) {
      if (!scramMechanismByName(mechanism))
        throw new Error(`unknown mechanism ${mechanism} for ${user}`);
      if (
        typeof c.salt !== 'string' ||
        typeof c.storedKey !== 'string' ||
        typeof c.serverKey !== 'string' ||
        !Number.isInteger(c.iterations)
      )
        throw new Error(`malformed credential for ${user} (${mechanism})`);
    }
  }
  return d as CredentialsFile;
}
