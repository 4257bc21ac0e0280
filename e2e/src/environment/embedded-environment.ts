import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminUrl,
  ephemeralPorts,
  freePort,
  kafkaPasswords,
  startStack,
  writeClientProperties,
} from '@retail-streams/demo-stack';
import type { ManagedProcess, RunningStack } from '@retail-streams/demo-stack';
import { E2eError } from '../support/e2e-error.ts';
import { killProcessGroup } from './kill-process.ts';
import { serviceProcess } from './service-launcher.ts';
import type {
  Environment,
  EnvironmentOptions,
  Replica,
  RunningEnvironment,
  ServiceName,
} from './environment.ts';

/**
 * The stack `npm start` runs, started through the demo orchestrator's own `startStack` (so the
 * scenarios exercise the same processes with the same environment), on ephemeral ports and in a fresh
 * data directory, without fsync (nothing here must survive the run).
 */
export const embeddedEnvironment: Environment = {
  backend: 'embedded',
  async start(options: EnvironmentOptions): Promise<RunningEnvironment> {
    const dataDir = mkdtempSync(join(tmpdir(), `e2e-${options.name}-`));
    const ports = await ephemeralPorts();
    const lines = new Map<string, string[]>();
    const onLine = (name: string, line: string) => {
      let kept = lines.get(name);
      if (!kept) lines.set(name, (kept = []));
      kept.push(line);
      if (kept.length > 400) kept.splice(0, kept.length - 400);
      options.onLine?.(name, line);
    };
    let stack: RunningStack;
    try {
      stack = await startStack({
        dataDir,
        ports,
        durable: false,
        logLevel: process.env.E2E_LOG_LEVEL ?? 'info',
        readyTimeoutMs: 60_000,
        serviceOverrides: options.serviceEnv,
        onLine,
      });
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    const replicas: ManagedProcess[] = [];

    const pidOf = (name: string): number => {
      const status = stack.status().find((entry) => entry.name === name);
      if (!status || status.pid === null || status.state !== 'running') {
        throw new E2eError('NOT_RUNNING', `${name} is not running (${status?.state ?? 'unknown'})`);
      }
      return status.pid;
    };

    return {
      backend: 'embedded',
      bootstrap: stack.urls.broker,
      urls: {
        sales: stack.urls.sales,
        inventory: stack.urls.inventory,
        reordering: stack.urls.reordering,
        analytics: stack.urls.analytics,
      },
      databaseUrlFor: (service: ServiceName) => adminUrl(ports.postgres, service),
      stopService: (name) => stack.stopProcess(name),
      killService: async (name) => {
        await killProcessGroup(pidOf(name));
        // The supervisor notices the exit asynchronously; a start before it did would be refused.
        while (stack.status().find((entry) => entry.name === name)?.state === 'running') {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      startService: (name) => stack.startProcess(name),
      restartBroker: () => stack.restartProcess('broker'),
      startReplica: async (name: ServiceName): Promise<Replica> => {
        const processName = `${name}-${replicas.length + 2}`;
        const port = await freePort();
        const replica = serviceProcess({
          name,
          processName,
          ports,
          logDir: join(dataDir, 'logs'),
          logLevel: process.env.E2E_LOG_LEVEL ?? 'info',
          // The replica logs in as its service, like the first instance.
          passwords: kafkaPasswords(dataDir),
          overrides: { ...options.serviceEnv?.[name], PORT: String(port) },
          onLine,
        });
        replicas.push(replica);
        await replica.start();
        return { name: processName, url: `http://127.0.0.1:${port}`, stop: () => replica.stop() };
      },
      loginOf: (name) => ({
        bootstrap: `127.0.0.1:${ports.brokerSasl}`,
        commandConfig: writeClientProperties(dataDir, name, kafkaPasswords(dataDir)),
      }),
      lastLines: (name, count = 40) => (lines.get(name) ?? []).slice(-count),
      stop: async () => {
        await Promise.all(replicas.map((replica) => replica.stop()));
        await stack.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};
