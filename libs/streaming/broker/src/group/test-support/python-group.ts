// Runs group_consumers.py (N group members of one python client in one process) with Debian's python.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from '../../compat/client-availability.ts';
import { runCommand } from '../../compat/compat-fixture.ts';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'group_consumers.py');

export interface PythonGroupRun {
  /** [member index, partition, offset, value] per consumed record. */
  records: Array<[number, number, number, string]>;
  /** The final assignment of each member. */
  assignments: number[][];
}

export async function runPythonGroup(
  client: 'confluent' | 'kafka-python',
  args: {
    bootstrap: string;
    topic: string;
    group: string;
    members: number;
    expected: number;
    strategy?: string;
  },
): Promise<PythonGroupRun> {
  const res = await runCommand(
    SYSTEM_PYTHON,
    [DRIVER, client, JSON.stringify({ timeout_s: 60, ...args })],
    {
      timeoutMs: 90_000,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );
  if (res.code !== 0)
    throw new Error(`group_consumers.py ${client} exited ${res.code}:\n${res.stderr.slice(-3000)}`);
  return JSON.parse(res.stdout) as PythonGroupRun;
}
