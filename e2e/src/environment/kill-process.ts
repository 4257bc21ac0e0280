import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `kill -9` of a whole process group (every child the supervisor starts leads its own group), then
 * waits until nothing of the group is left, so "killed" means gone when this resolves.
 */
export async function killProcessGroup(pid: number, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`process group ${pid} survived SIGKILL for ${timeoutMs} ms`);
    await sleep(20);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
