import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@retail-streams/demo-stack';
import { childEnv } from '../environment/service-launcher.ts';
import { E2eError } from './e2e-error.ts';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
}

/**
 * The project's `streaming` CLI, run as an operator would run it (`npx streaming …`), against the
 * environment's broker: reading topics, producing raw records (poison), describing groups. Works the
 * same against the embedded broker and real Kafka.
 */
export class OperatorCli {
  readonly bootstrap: string;
  readonly #commandConfig: string | undefined;

  /** `commandConfig`: client properties to log in with (another principal than the operator's). */
  constructor(bootstrap: string, commandConfig?: string) {
    this.bootstrap = bootstrap;
    this.#commandConfig = commandConfig;
  }

  /** Every record of a topic up to its end as of now (`consume --from-beginning --exit-at-end`). */
  async readTopic(topic: string): Promise<ConsumedRecord[]> {
    const { stdout } = await this.run([
      'consume',
      '--topic',
      topic,
      '--from-beginning',
      '--exit-at-end',
      '--format',
      'json',
    ]);
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ConsumedRecord);
  }

  /** Publishes raw lines (`key<TAB>value`) to one partition, as `produce -K '\t' -p N` does. */
  async produce(
    topic: string,
    records: Array<{ key: string; value: string }>,
    partition?: number,
  ): Promise<void> {
    const args = ['produce', '--topic', topic, '--key-separator', '\t'];
    if (partition !== undefined) args.push('--partition', String(partition));
    await this.run(args, records.map((r) => `${r.key}\t${r.value}`).join('\n') + '\n');
  }

  /** `groups --describe --group G --json`. */
  async describeGroup(group: string): Promise<GroupDescription> {
    const { stdout } = await this.run(['groups', '--describe', '--group', group, '--json']);
    return JSON.parse(stdout) as GroupDescription;
  }

  async run(args: string[], stdin?: string): Promise<{ stdout: string; stderr: string }> {
    const argv = [
      join(repoRoot, 'apps', 'cli', 'src', 'main.ts'),
      '--bootstrap-server',
      this.bootstrap,
      ...(this.#commandConfig ? ['--command-config', this.#commandConfig] : []),
      ...args,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv, {
        cwd: repoRoot,
        env: childEnv(),
        stdio: 'pipe',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(
          new E2eError('CLI_FAILED', `streaming ${args.join(' ')}: ${error.message}`, {
            cause: error,
          }),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve({ stdout, stderr });
        else
          reject(
            new E2eError(
              'CLI_FAILED',
              `streaming ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}: ${stderr.trim().slice(-800)}`,
            ),
          );
      });
      child.stdin.end(stdin ?? '');
    });
  }
}

/** What `groups --describe --json` prints. */
export interface GroupDescription {
  group: string;
  state: string;
  protocol: string | null;
  members: Array<{
    memberId: string;
    clientId: string;
    host: string;
    /** topic -> partitions assigned to this member. */
    assignment: Record<string, number[]>;
  }>;
  partitions: Array<{
    topic: string;
    partition: number;
    committed: number | null;
    logEnd: number;
    lag: number | null;
    memberId: string | null;
  }>;
  totalLag: number;
}
