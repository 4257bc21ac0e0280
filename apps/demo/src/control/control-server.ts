import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { DemoError } from '@retail-streams/demo-stack';
import type { DemoErrorCode, RunningStack } from '@retail-streams/demo-stack';
import type { LoadController } from '../load/load-controller.ts';

export interface ControlServerOptions {
  port: number;
  token: string;
  stack: RunningStack;
  load: LoadController;
  /** Browser origins allowed to call (the dashboard); other origins get no CORS headers. */
  allowedOrigins: readonly string[];
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const STATUS_OF: Partial<Record<DemoErrorCode, number>> = {
  BAD_ARGUMENT: 400,
  UNKNOWN_PROCESS: 404,
  NOT_RUNNING: 409,
  ALREADY_RUNNING: 409,
  LOAD_RUNNING: 409,
  ADMIN_CALL_FAILED: 502,
  PROCESS_EXITED: 502,
  READINESS_TIMEOUT: 504,
};

/**
 * The demo's fault controls over HTTP. They can stop processes, so: bound to 127.0.0.1 only, every
 * call needs the per-run token (`Authorization: Bearer <token>`), and the server exists only in the
 * local orchestrator, never in the compose deployment.
 *
 *   GET  /status                                   processes and load
 *   POST /processes/:name/{stop,start,restart}     any process (inventory, broker, ...)
 *   POST /broker/restart
 *   POST /inventory/latency   {"ms": 1500}
 *   POST /load/start          {"rate": 50, "syncRatio": 0.5, "durationSeconds": 60?}
 *   POST /load/stop
 *   GET  /load
 *   POST /analytics/replay                         analytics' POST /api/replay, with the token
 *   POST /analytics/replay/:id/resume              analytics' POST /api/replay/:id/resume
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const handle = controlHandler(options);
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Route = (body: Record<string, unknown>) => Promise<unknown>;

function controlRoutes({ stack, load }: ControlServerOptions): Record<string, Route> {
  return {
    'GET /status': async () => ({
      processes: stack.status(),
      load: load.status(),
      urls: stack.urls,
    }),
    'POST /broker/restart': async () => {
      await stack.restartProcess('broker');
      return { restarted: 'broker' };
    },
    'POST /inventory/latency': async (body) => {
      const ms = body.ms;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 60_000) {
        throw new DemoError('BAD_ARGUMENT', 'ms must be an integer between 0 and 60000');
      }
      await stack.setInventoryLatency(ms);
      return { inventoryLatencyMs: ms };
    },
    'POST /load/start': async (body) => {
      await load.start(loadSettingsFrom(body));
      return load.status();
    },
    'POST /load/stop': async () => {
      await load.stop();
      return load.status();
    },
    'GET /load': async () => load.status(),
  };
}

/** POST /load/start's body, checked: rate, syncRatio (default 0.5), durationSeconds (optional). */
function loadSettingsFrom(body: Record<string, unknown>) {
  const { rate, syncRatio = 0.5, durationSeconds } = body;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 5000)) {
    throw new DemoError(
      'BAD_ARGUMENT',
      'rate must be a number of orders per second, 0 < rate <= 5000',
    );
  }
  if (typeof syncRatio !== 'number' || !(syncRatio >= 0 && syncRatio <= 1)) {
    throw new DemoError('BAD_ARGUMENT', 'syncRatio must be between 0 and 1');
  }
  if (
    durationSeconds !== undefined &&
    (typeof durationSeconds !== 'number' || !(durationSeconds > 0))
  ) {
    throw new DemoError('BAD_ARGUMENT', 'durationSeconds must be a positive number');
  }
  return { rate, syncRatio, durationSeconds: durationSeconds as number | undefined };
}

/** CORS for the dashboard's origin, the token check, then the process actions and the routes. */
function controlHandler(options: ControlServerOptions) {
  const { stack } = options;
  const expected = Buffer.from(`Bearer ${options.token}`);
  const routes = controlRoutes(options);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-headers', 'authorization, content-type');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      send(res, 401, {
        error: { code: 'UNAUTHORIZED', message: 'missing or wrong control token' },
      });
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/$/, '');
    if (req.method === 'POST' && ANALYTICS_REPLAY.test(path)) {
      await forwardToAnalytics(
        res,
        `${stack.urls.analytics}/api${path.slice('/analytics'.length)}`,
        options.token,
      );
      return;
    }
    const processAction = /^\/processes\/([\w-]+)\/(stop|start|restart)$/.exec(path);
    try {
      const body = req.method === 'POST' ? await readJson(req) : {};
      if (req.method === 'POST' && processAction) {
        const [, name, action] = processAction as unknown as [
          string,
          string,
          'stop' | 'start' | 'restart',
        ];
        if (action === 'stop') await stack.stopProcess(name);
        else if (action === 'start') await stack.startProcess(name);
        else await stack.restartProcess(name);
        send(res, 200, { process: name, action, processes: stack.status() });
        return;
      }
      const route = routes[`${req.method} ${path}`];
      if (!route) {
        send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } });
        return;
      }
      send(res, 200, await route(body));
    } catch (error) {
      const code = error instanceof DemoError ? error.code : 'INTERNAL';
      const status = error instanceof DemoError ? (STATUS_OF[error.code] ?? 500) : 500;
      send(res, status, { error: { code, message: (error as Error).message } });
    }
  };
}

/** The replay actions analytics takes with the same token (the dashboard's buttons come this way). */
const ANALYTICS_REPLAY = /^\/analytics\/replay(?:\/[0-9a-f-]{36}\/resume)?$/;

/** Passes an operator action on to analytics with the token; its answer comes back unchanged. */
async function forwardToAnalytics(res: ServerResponse, url: string, token: string): Promise<void> {
  try {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await answer.text();
    res
      .writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      })
      .end(body);
  } catch (error) {
    send(res, 502, {
      error: {
        code: 'ADMIN_CALL_FAILED',
        message: `analytics did not answer: ${(error as Error).message}`,
      },
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64 * 1024) throw new DemoError('BAD_ARGUMENT', 'request body too large');
  }
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new DemoError('BAD_ARGUMENT', 'the body must be a JSON object');
  }
}
