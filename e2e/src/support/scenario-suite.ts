import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { chooseEnvironment } from '../environment/select-environment.ts';
import type { EnvironmentOptions, RunningEnvironment } from '../environment/environment.ts';
import { OperatorCli } from './operator-cli.ts';
import { RetailApi } from './retail-api.ts';

/** What every scenario gets: the running system, its HTTP APIs and the operator's CLI. */
export interface World {
  env: RunningEnvironment;
  api: RetailApi;
  cli: OperatorCli;
}

const choice = await chooseEnvironment();

/**
 * One file's scenarios over one shared system, started once before them and stopped after. The
 * backend comes from E2E_BACKEND; when it cannot run here (containers without Docker) the scenarios
 * are reported as skipped, with the reason as the name of the skipped entry and on the console.
 * When a scenario fails, the last lines of every process are printed after it.
 */
export function describeScenarios(
  title: string,
  options: EnvironmentOptions,
  body: (world: () => World) => void,
): void {
  if (choice.environment === null) {
    const reason = choice.skipReason;
    describe.skip(`${title} [${choice.backend}]`, () => {
      console.warn(`[e2e] ${reason}`);
      it.skip(reason, () => undefined);
      body(() => {
        throw new Error(reason);
      });
    });
    return;
  }
  const environment = choice.environment;
  describe(`${title} [${environment.backend}]`, () => {
    let world: World | undefined;
    beforeAll(async () => {
      const verbose = process.env.E2E_VERBOSE === '1';
      // Replays are operator actions behind the demo's control token: analytics gets one per run.
      const operatorToken = randomBytes(18).toString('base64url');
      const env = await environment.start({
        ...options,
        serviceEnv: {
          ...options.serviceEnv,
          analytics: { ...options.serviceEnv?.analytics, DEMO_CONTROL_TOKEN: operatorToken },
        },
        onLine: verbose ? (name, line) => console.log(`[${name}] ${line}`) : undefined,
      });
      world = {
        env,
        api: new RetailApi(env.urls, operatorToken),
        cli: new OperatorCli(env.bootstrap),
      };
    });
    afterAll(async () => {
      await world?.env.stop();
    });
    beforeEach(({ onTestFailed }) => {
      onTestFailed(() => {
        if (!world) return;
        for (const name of [
          'broker',
          'inventory',
          'inventory-2',
          'sales',
          'reordering',
          'analytics',
        ]) {
          const lines = world.env.lastLines(name, 15);
          if (lines.length > 0) console.error(`--- last lines of ${name}:\n${lines.join('\n')}`);
        }
      });
    });
    body(() => {
      if (!world) throw new Error('the environment did not start (see the beforeAll failure)');
      return world;
    });
  });
}
