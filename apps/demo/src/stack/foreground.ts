import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startControlServer } from '../control/control-server.ts';
import type { ControlServer } from '../control/control-server.ts';
import { DemoError } from '../demo-error.ts';
import { LoadController } from '../load/load-controller.ts';
import { repoRoot } from '../paths.ts';
import { ConsoleReporter } from './console-reporter.ts';
import { writeInfraEnvFiles } from './infra-env.ts';
import { STACK_OPTIONS_USAGE, parseStackArgs } from './stack-args.ts';
import { startStack } from './stack.ts';
import type { RunningStack } from './stack.ts';

export type ForegroundMode = 'full' | 'infra';

const USAGE: Record<ForegroundMode, string> = {
  full: `Usage: npm start -- [options]

Starts PostgreSQL, the broker, the four services (analytics serves the dashboard) and the fault
controls; Ctrl-C stops everything.

${STACK_OPTIONS_USAGE}`,
  infra: `Usage: npm run infra -- [options]

Starts only PostgreSQL and the broker, and writes .data/env/<service>.env for running one service
in watch mode (\`npx nx serve sales\`).

${STACK_OPTIONS_USAGE}`,
};

/**
 * `npm start` and `npm run infra`: runs the stack in the foreground until Ctrl-C (or SIGTERM), then
 * stops every process in order. A second Ctrl-C kills what is left at once.
 */
export async function runForeground(
  mode: ForegroundMode,
  argv: readonly string[],
): Promise<number> {
  let args;
  try {
    args = parseStackArgs(argv);
  } catch (error) {
    if (error instanceof DemoError) {
      process.stderr.write(`${error.message}\n\n${USAGE[mode]}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(USAGE[mode]);
    return 0;
  }
  const began = Date.now();
  mkdirSync(args.dataDir, { recursive: true });
  const reporter = new ConsoleReporter(join(args.dataDir, 'logs'));
  const token = randomBytes(24).toString('base64url');
  const controlUrl = `http://127.0.0.1:${args.ports.control}`;

  let stack: RunningStack | null = null;
  let control: ControlServer | null = null;
  let load: LoadController | null = null;
  let stopping: Promise<void> | null = null;
  let signals = 0;
  const stopAll = () =>
    (stopping ??= (async () => {
      reporter.note('stopping everything…');
      await load?.stop();
      await control?.close();
      await stack?.stop();
      reporter.note('all processes stopped');
      await reporter.close();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      reporter.note(`${signal} again: killing what is left`);
      for (const pid of stack?.pids() ?? []) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(130);
    }
    if (!stack) {
      // Still starting: the stack is stopped as soon as startStack hands it over (below).
      reporter.note(`${signal}: stopping as soon as the start completes`);
      return;
    }
    void stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startStack({
      dataDir: args.dataDir,
      ports: args.ports,
      services: mode === 'infra' ? [] : undefined,
      durable: true,
      logLevel: args.logLevel,
      connectors: mode === 'full' && args.connectors,
      control: mode === 'full' ? { url: controlUrl, token } : undefined,
      onLine: reporter.line,
      onEvent: reporter.event,
    });
  } catch (error) {
    const e = error as Error & { code?: string };
    reporter.note(`start failed${e.code ? ` [${e.code}]` : ''}: ${e.message}`);
    await reporter.close();
    return 1;
  }
  if (signals > 0) {
    await stopAll();
    return 0;
  }

  if (mode === 'full') {
    load = new LoadController(stack.urls.sales, stack.urls.inventory);
    control = await startControlServer({
      port: args.ports.control,
      token,
      stack,
      load,
      allowedOrigins: [
        `http://localhost:${args.ports.analytics}`,
        `http://127.0.0.1:${args.ports.analytics}`,
      ],
    });
    // For tools run beside the demo (a scenario against the running stack, curl): readable by us only.
    writeFileSync(
      join(args.dataDir, 'control.json'),
      JSON.stringify({ url: control.url, token }, null, 2),
      {
        mode: 0o600,
      },
    );
  }
  const envFiles =
    mode === 'infra' ? writeInfraEnvFiles(args.dataDir, args.ports, args.logLevel) : [];

  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  const urls = stack.urls;
  const rows: [string, string][] =
    mode === 'full'
      ? [
          ['dashboard', `http://localhost:${args.ports.analytics}`],
          [
            'sales',
            `http://localhost:${args.ports.sales}   POST /orders[?mode=sync], GET /orders/:id`,
          ],
          ['inventory', `http://localhost:${args.ports.inventory}   GET /products`],
          ['reordering', `http://localhost:${args.ports.reordering}`],
          ['broker', `${urls.broker}   (Kafka protocol)`],
          ['postgres', `${urls.postgres.replace(/\/postgres$/, '/<service>')}`],
          [
            'controls',
            `${controlUrl}   (token in ${displayPath(join(args.dataDir, 'control.json'))})`,
          ],
          ['data', `${args.dataDir}   (npm run reset wipes it)`],
        ]
      : [
          ['broker', urls.broker],
          ['postgres', urls.postgres],
          ['env files', envFiles.map((f) => displayPath(f)).join(', ')],
          ['data', `${args.dataDir}   (npm run reset wipes it)`],
        ];
  const started = stack.services.length > 0 ? ` (${stack.services.join(', ')})` : '';
  process.stdout.write(
    [
      '',
      `  retail-streams ${mode === 'full' ? 'demo' : 'infrastructure'} ready in ${seconds} s${started}`,
      ...rows.map(([name, value]) => `    ${name.padEnd(11)} ${value}`),
      mode === 'infra'
        ? '\n  run one service in watch mode: npx nx serve <sales|inventory|reordering|analytics>'
        : '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );

  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stopping) {
        clearInterval(wait);
        void stopping.then(resolve);
      }
    }, 100);
  });
  return 0;
}

/** Relative to the repository when inside it (shorter), absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') ? path : rel;
}
