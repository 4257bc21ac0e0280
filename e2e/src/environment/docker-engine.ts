import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface DockerProbe {
  available: boolean;
  /** Why not, in words a person can act on. */
  reason: string | null;
}

/**
 * Is there a Docker engine Testcontainers can use? A `docker` client alone is not enough (CI machines
 * have one and no daemon), so this asks the engine itself: `docker info`, bounded by a timeout.
 * Without a client it falls back to looking for the socket or DOCKER_HOST.
 */
export async function probeDocker(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 5000,
): Promise<DockerProbe> {
  const answer = await new Promise<{ ok: boolean; missingClient: boolean; output: string }>(
    (resolve) => {
      execFile(
        'docker',
        ['info', '--format', '{{.ServerVersion}}'],
        { timeout: timeoutMs, env },
        (error, stdout, stderr) => {
          if (!error)
            resolve({ ok: stdout.trim().length > 0, missingClient: false, output: stdout.trim() });
          else
            resolve({
              ok: false,
              missingClient: (error as NodeJS.ErrnoException).code === 'ENOENT',
              output: `${stderr || error.message}`.trim().split('\n')[0] ?? '',
            });
        },
      );
    },
  );
  if (answer.ok) return { available: true, reason: null };
  if (answer.missingClient) {
    const socket =
      env.DOCKER_HOST ?? (existsSync('/var/run/docker.sock') ? '/var/run/docker.sock' : null);
    if (socket) return { available: true, reason: null };
    return {
      available: false,
      reason: 'no docker client and no Docker socket (/var/run/docker.sock, DOCKER_HOST)',
    };
  }
  return {
    available: false,
    reason: `no Docker engine answered \`docker info\` (${answer.output})`,
  };
}
