import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startControlServer } from '../control/control-server.ts';
import type { ControlServer } from '../control/control-server.ts';
import {
  ConsoleReporter,
  DemoError,
  repoRoot,
  startStack,
  writeInfraEnvFiles,
} from '@retail-streams/demo-stack';
import type { RunningStack } from '@retail-streams/demo-stack';
import { LoadController } from '../load/load-controller.ts';
import { STACK_OPTIONS_USAGE, parseStackArgs } from './stack-args.ts';

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
 * `npm start` and `npm run infra`: runs the stack in the foreground until Ctrl-C, SIGTERM, SIGHUP (the
 * terminal was closed) or a broken stdout (`npm start | tee demo.log` and the reader is gone), then
 * stops every process in order. A second signal kills what is left at once. If this process dies
 * without doing any of that (kill -9), each child gets its parent-death signal (parent-death.ts).
 */
export async function runForeground(
  mode: ForegroundMode,
  argv: readonly string[],
): Promise<number> {
  const args = readArgs(mode, argv);
  if (typeof args === 'number') return args;
  const began = Date.now();
  mkdirSync(args.dataDir, { recursive: true });
  const reporter = new ConsoleReporter(join(args.dataDir, 'logs'));
  const token = randomBytes(24).toString('base64url');
  const controlUrl = `http://127.0.0.1:${args.ports.control}`;
  const shutdown = new Shutdown(reporter);
  shutdown.install();

  let stack: RunningStack;
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
  shutdown.parts.stack = stack;
  if (shutdown.requested) {
    await shutdown.stopAll();
    return 0;
  }
  if (mode === 'full') Object.assign(shutdown.parts, await startControls(args, stack, token));
  const envFiles =
    mode === 'infra' ? writeInfraEnvFiles(args.dataDir, args.ports, args.logLevel) : [];
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  process.stdout.write(readyBanner(mode, args, stack, { envFiles, seconds, controlUrl }));
  await shutdown.stopped();
  return 0;
}

type StackArgs = ReturnType<typeof parseStackArgs>;

/** The parsed arguments, or the exit code once usage was printed (--help, a bad option). */
function readArgs(mode: ForegroundMode, argv: readonly string[]): StackArgs | number {
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
  return args;
}

/** What stops, in order: the load, the fault controls, then the stack. */
interface StoppableParts {
  stack?: RunningStack;
  control?: ControlServer;
  load?: LoadController;
}

/**
 * Stops everything once: on the first signal, or when nobody reads the output any more. A stop
 * asked for while the stack is still starting waits for startStack to hand it over.
 */
class Shutdown {
  readonly parts: StoppableParts = {};
  requested = false;
  #stopping: Promise<void> | null = null;
  #signals = 0;
  readonly #reporter: ConsoleReporter;

  constructor(reporter: ConsoleReporter) {
    this.#reporter = reporter;
  }

  install(): void {
    const onSignal = (signal: NodeJS.Signals) => this.#onSignal(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    // Nobody reads our output any more (EPIPE: the `tee` of `npm start | tee` is gone, the terminal
    // closed): stop writing to it, and stop everything, as the user has gone too. Without a listener
    // the first write would crash this process and orphan every child.
    const onOutputGone = (error: NodeJS.ErrnoException) => {
      this.#reporter.detachConsole();
      if (!this.requested) this.#request(`output closed (${error.code ?? error.message})`);
    };
    process.stdout.on('error', onOutputGone);
    process.stderr.on('error', onOutputGone);
  }

  stopAll(): Promise<void> {
    this.#stopping ??= (async () => {
      const { load, control, stack } = this.parts;
      this.#reporter.note('stopping everything…');
      await load?.stop();
      await control?.close();
      await stack?.stop();
      this.#reporter.note('all processes stopped');
      await this.#reporter.close();
    })();
    return this.#stopping;
  }

  /** Resolves once a stop was asked for and has finished. */
  stopped(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wait = setInterval(() => {
        if (this.#stopping) {
          clearInterval(wait);
          void this.#stopping.then(resolve);
        }
      }, 100);
    });
  }

  #request(why: string): void {
    this.requested = true;
    if (!this.parts.stack) {
      // Still starting: the stack is stopped as soon as startStack hands it over.
      this.#reporter.note(`${why}: stopping as soon as the start completes`);
      return;
    }
    void this.stopAll();
  }

  #onSignal(signal: NodeJS.Signals): void {
    this.#signals++;
    if (this.#signals === 1) {
      this.#request(signal);
      return;
    }
    this.#reporter.note(`${signal} again: killing what is left`);
    for (const pid of this.parts.stack?.pids() ?? []) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  }
}

/** The load generator and the fault controls the dashboard drives (npm start only). */
async function startControls(args: StackArgs, stack: RunningStack, token: string) {
  const load = new LoadController(stack.urls.sales, stack.urls.inventory);
  const control = await startControlServer({
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
    { mode: 0o600 },
  );
  return { load, control };
}

/** The "ready" screen: where everything is, and how to stop it. */
function readyBanner(
  mode: ForegroundMode,
  args: StackArgs,
  stack: RunningStack,
  { envFiles, seconds, controlUrl }: { envFiles: string[]; seconds: string; controlUrl: string },
): string {
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
  return (
    [
      '',
      `  retail-streams ${mode === 'full' ? 'demo' : 'infrastructure'} ready in ${seconds} s${started}`,
      ...rows.map(([name, value]) => `    ${name.padEnd(11)} ${value}`),
      mode === 'infra'
        ? '\n  run one service in watch mode: npx nx serve <sales|inventory|reordering|analytics>'
        : '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n'
  );
}

/** Relative to the repository when inside it (shorter), absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') ? path : rel;
}
