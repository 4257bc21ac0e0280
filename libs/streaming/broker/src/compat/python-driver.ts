// Runs one of the python client drivers in ./python with the Debian python and
// parses the single JSON object it prints. Failures carry the script's stderr
// (librdkafka / kafka-python logs), which is where the broker-side cause shows.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from './client-availability.ts';
import { runCommand } from './compat-fixture.ts';

const PYTHON_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python');

export type PythonDriver =
  | 'confluent_roundtrip.py'
  | 'confluent_transactions.py'
  | 'kafka_python_roundtrip.py'
  | 'secure_clients.py';

export async function runPythonDriver<T>(
  driver: PythonDriver,
  command: string,
  args: Record<string, unknown>,
  timeoutMs = 90_000,
): Promise<T> {
  const res = await runCommand(
    SYSTEM_PYTHON,
    [path.join(PYTHON_DIR, driver), command, JSON.stringify(args)],
    { timeoutMs, env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  if (res.code !== 0) {
    throw new Error(
      `${driver} ${command} exited ${res.code}:\n${res.stderr.slice(-4000)}\n${res.stdout.slice(0, 1000)}`,
    );
  }
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(
      `${driver} ${command} printed no JSON:\n${res.stdout.slice(0, 1000)}\n${res.stderr.slice(-4000)}`,
    );
  }
}
