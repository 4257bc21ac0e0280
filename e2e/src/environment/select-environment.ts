import { E2eError } from '../support/e2e-error.ts';
import { containersEnvironment } from './containers-environment.ts';
import { probeDocker } from './docker-engine.ts';
import { embeddedEnvironment } from './embedded-environment.ts';
import type { Backend, Environment } from './environment.ts';

export type EnvironmentChoice =
  | { backend: Backend; environment: Environment; skipReason: null }
  | { backend: Backend; environment: null; skipReason: string };

/**
 * The one switch between backends: `E2E_BACKEND=embedded` (the default: the demo stack, no Docker)
 * or `E2E_BACKEND=containers` (Testcontainers Kafka + PostgreSQL). The containers backend is skipped,
 * with the reason, when no Docker engine answers, and under CI=true, where the machines have none
 * (E2E_CONTAINERS_IN_CI=true lifts that for a CI that does have Docker).
 */
export async function chooseEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): Promise<EnvironmentChoice> {
  const backend = (env.E2E_BACKEND ?? 'embedded').trim() || 'embedded';
  if (backend === 'embedded') {
    return { backend, environment: embeddedEnvironment, skipReason: null };
  }
  if (backend !== 'containers') {
    throw new E2eError(
      'BAD_BACKEND',
      `E2E_BACKEND must be "embedded" or "containers", not "${backend}"`,
    );
  }
  if (env.CI === 'true' && env.E2E_CONTAINERS_IN_CI !== 'true') {
    return {
      backend,
      environment: null,
      skipReason:
        'E2E_BACKEND=containers skipped: CI=true and CI machines have no Docker engine ' +
        '(set E2E_CONTAINERS_IN_CI=true on a CI that has one); the same scenarios run on the embedded backend',
    };
  }
  const docker = await probeDocker(env);
  if (!docker.available) {
    return {
      backend,
      environment: null,
      skipReason: `E2E_BACKEND=containers skipped: ${docker.reason}; the same scenarios run with E2E_BACKEND=embedded`,
    };
  }
  return { backend, environment: containersEnvironment, skipReason: null };
}
