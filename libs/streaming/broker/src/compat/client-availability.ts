// Detects which real Kafka clients are installed on this machine, so that each
// compatibility suite can skip with an actionable message on a developer box,
// yet FAIL on CI (CI=true), where a silently skipped client would hide a
// regression in the broker.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** The Debian python whose dist-packages hold python3-confluent-kafka / python3-kafka. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface ClientAvailability {
  /** Human name of the client, used in test titles. */
  readonly client: string;
  readonly available: boolean;
  /** Why it is missing and how to install it (empty when available). */
  readonly reason: string;
  /** Version string when known, for test titles and reports. */
  readonly version?: string;
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

export function detectKcat(): ClientAvailability {
  const res = run('kcat', ['-V']);
  if (!res.ok) {
    return { client: 'kcat', available: false, reason: 'kcat not found: apt-get install -y kcat' };
  }
  const version = /Version (\S+).*?librdkafka (\S+)/s.exec(res.out);
  return {
    client: 'kcat',
    available: true,
    reason: '',
    version: version ? `kcat ${version[1]} / librdkafka ${version[2]}` : undefined,
  };
}

/** Features librdkafka was built with, e.g. ['gzip','snappy','lz4','zstd',...]. */
export function kcatBuiltinFeatures(): string[] {
  const res = run('kcat', ['-V']);
  const m = /builtin\.features=(\S+)/.exec(res.out);
  return m ? m[1].split(',') : [];
}

export function detectPythonModule(
  client: string,
  module: string,
  installHint: string,
  versionExpr = `${module}.__version__`,
): ClientAvailability {
  const res = run(SYSTEM_PYTHON, ['-c', `import ${module}; print(${versionExpr})`]);
  if (!res.ok) {
    return {
      client,
      available: false,
      reason: `python module ${module} not importable by ${SYSTEM_PYTHON}: ${installHint}`,
    };
  }
  return { client, available: true, reason: '', version: res.out.trim() };
}

export function detectConfluentKafka(): ClientAvailability {
  return detectPythonModule(
    'python3-confluent-kafka',
    'confluent_kafka',
    'apt-get install -y python3-confluent-kafka',
    "confluent_kafka.version()[0] + ' / librdkafka ' + confluent_kafka.libversion()[0]",
  );
}

export function detectKafkaPython(): ClientAvailability {
  return detectPythonModule('kafka-python', 'kafka', 'apt-get install -y python3-kafka');
}

/** Checks that a python module is importable (used for kafka-python's codec libraries). */
export function pythonHasModule(module: string): boolean {
  return run(SYSTEM_PYTHON, ['-c', `import ${module}`]).ok;
}

export async function detectNpmPackage(name: string): Promise<ClientAvailability> {
  try {
    await import(name);
    return { client: name, available: true, reason: '' };
  } catch (err) {
    return {
      client: name,
      available: false,
      reason: `npm package ${name} cannot be imported (${(err as Error).message.split('\n')[0]}): npm install`,
    };
  }
}

export function isCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * `describe` for a suite that needs a real client: runs it when the client is
 * installed; otherwise skips it with the install hint in the title, except on
 * CI where a single failing test reports the missing client.
 */
export function describeWithClient(
  availability: ClientAvailability,
  title: string,
  body: () => void,
): void {
  if (availability.available) {
    describe(title, body);
    return;
  }
  if (isCi()) {
    describe(title, () => {
      it(`requires ${availability.client} on CI`, () => {
        throw new Error(`${availability.client} is missing on CI: ${availability.reason}`);
      });
    });
    return;
  }
  describe.skip(`${title} [skipped: ${availability.reason}]`, body);
}
