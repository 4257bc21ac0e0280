import { Router } from 'express';
import type { ReadinessChecks } from './readiness.ts';

/**
 * `/health/live` answers 200 whenever the event loop can answer at all (restart me only if this
 * fails); `/health/ready` runs the dependency checks and answers 503 while any is down or the
 * service is shutting down (send me no traffic). They are deliberately separate: a database outage
 * must take a service out of rotation, not get it restarted in a loop.
 */
export function healthRoutes(serviceName: string, readiness: ReadinessChecks): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'live', service: serviceName });
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await readiness.run();
    res
      .status(report.status === 'ready' ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ ...report, service: serviceName });
  });
  return router;
}
