import type { Request, Response, Router } from 'express';
import { HttpProblem } from '@retail-streams/service-kit';

export interface DemoControlOptions {
  /** The orchestrator's control endpoint; undefined outside the local demo. */
  url: string | undefined;
  token: string | undefined;
  /** Broker restarts take a few seconds: wait this long for the orchestrator's answer. */
  timeoutMs?: number;
}

/**
 * The page's way to the demo orchestrator's fault and load controls.
 *
 * Why a proxy and not `{ url, token }` handed to the page: the orchestrator then needs no CORS, and
 * the token never reaches a browser, a devtools network log or analytics' access log (the request
 * line carries only `/api/demo/...`). What the token guards is then guarded here instead: only
 * same-origin requests from the loopback interface are forwarded, so another site open in the
 * browser, or another machine that can reach port 3000, cannot stop services.
 *
 * - `GET /api/demo-control` → `{ enabled }` (the page hides the controls when false).
 * - `GET|POST /api/demo/<path>` → `<DEMO_CONTROL_URL>/<path>` with `Authorization: Bearer <token>`,
 *   the JSON body and the query passed through; the answer's status and body come back unchanged.
 */
export function demoControlRoutes(router: Router, options: DemoControlOptions): void {
  const upstream = options.url && options.token ? options.url.replace(/\/+$/, '') : undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;

  router.get('/api/demo-control', (_req, res) => {
    res.json({ enabled: upstream !== undefined });
  });

  const forward = async (req: Request, res: Response) => {
    if (upstream === undefined) {
      throw new HttpProblem({
        status: 404,
        code: 'DEMO_CONTROL_DISABLED',
        detail:
          'Fault and load controls exist only in the local demo (DEMO_CONTROL_URL is not set)',
      });
    }
    if (!isLocalSameOriginRequest(req)) {
      throw new HttpProblem({
        status: 403,
        code: 'DEMO_CONTROL_FORBIDDEN',
        detail: 'Demo controls accept same-origin requests from this machine only',
      });
    }
    const path = (req.params as { path?: string[] }).path ?? [];
    const query = req.originalUrl.includes('?')
      ? req.originalUrl.slice(req.originalUrl.indexOf('?'))
      : '';
    const target = `${upstream}/${path.map(encodeURIComponent).join('/')}${query}`;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let answer: globalThis.Response;
    try {
      answer = await fetch(target, {
        method: req.method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        body: hasBody ? JSON.stringify(req.body ?? {}) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // The message names the URL at most, never the token (it travels in a header).
      throw new HttpProblem({
        status: 502,
        code: 'DEMO_CONTROL_UNREACHABLE',
        detail: `The demo orchestrator did not answer: ${(error as Error).message}`,
        cause: error,
      });
    }
    const body = Buffer.from(await answer.arrayBuffer());
    res.status(answer.status);
    const type = answer.headers.get('content-type');
    if (type) res.type(type);
    res.send(body);
  };

  router.get('/api/demo/*path', forward);
  router.post('/api/demo/*path', forward);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Same origin: browsers send `Sec-Fetch-Site` (and `Origin` on POST); a cross-site page cannot forge
 * either. A request with neither (curl on this machine) is accepted, as the orchestrator would.
 */
function isLocalSameOriginRequest(req: Request): boolean {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return false;
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) return false;
  return true;
}
