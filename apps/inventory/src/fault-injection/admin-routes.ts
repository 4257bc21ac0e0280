import type { Router } from 'express';
import { z } from 'zod';
import { validate } from '@retail-streams/service-kit';
import type { ArtificialLatency } from './artificial-latency.ts';

const latencyBody = z.object({ ms: z.number().int().min(0).max(60_000) });

/**
 * `GET /admin/latency` and `POST /admin/latency {"ms": 1500}`: reads and changes the injected delay.
 * Mounted only when ADMIN_ENDPOINTS=true, since anyone who can reach it can slow the service down.
 */
export function adminRoutes(router: Router, latency: ArtificialLatency): void {
  router.get('/admin/latency', (_req, res) => {
    res.json({ ms: latency.ms });
  });
  router.post('/admin/latency', validate({ body: latencyBody }), (req, res) => {
    latency.set(req.body.ms);
    req.log.warn({ latencyMs: req.body.ms }, 'artificial latency changed');
    res.json({ ms: latency.ms });
  });
}
