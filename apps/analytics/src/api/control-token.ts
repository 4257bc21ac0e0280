import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from '@retail-streams/service-kit';

/**
 * Operator actions (a replay re-reads every topic) need the demo's control token, the one the fault
 * controls take: `Authorization: Bearer <DEMO_CONTROL_TOKEN>`. The local demo passes it to analytics
 * and keeps it in `.data/control.json`; the dashboard's buttons go through the orchestrator, which
 * adds it server-side. Without a configured token the action is off, and says how to turn it on.
 */
export function requireControlToken(token: string | undefined, action: string): RequestHandler {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return (req, _res, next) => {
    if (expected === undefined) {
      throw new HttpProblem({
        status: 403,
        code: 'OPERATOR_ACTIONS_DISABLED',
        detail: `${action} needs the control token, and none is configured: set DEMO_CONTROL_TOKEN (the local demo does)`,
      });
    }
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpProblem({
        status: 401,
        code: 'UNAUTHORIZED',
        detail: `${action} needs "Authorization: Bearer <token>" with the demo's control token (in .data/control.json)`,
      });
    }
    next();
  };
}
