import type { Router } from 'express';
import { z } from 'zod';
import { HttpProblem, validate } from '@retail-streams/service-kit';
import { AnalyticsError } from '../analytics-error.ts';
import type { ReplayCoordinator } from '../replay/replay-coordinator.ts';
import type { AnalyticsSummary } from '../summary/summary-types.ts';
import { requireControlToken } from './control-token.ts';
import type { SummaryBroadcaster } from './summary-broadcaster.ts';

export interface AnalyticsRoutesOptions {
  readSummary: () => Promise<AnalyticsSummary>;
  broadcaster: SummaryBroadcaster;
  replays: ReplayCoordinator;
  /** The demo's control token: starting or resuming a replay needs it (see requireControlToken). */
  controlToken: string | undefined;
}

const noQuery = z.object({}).strict();
const replayId = z.object({ id: z.uuid() });

/** Replay errors as problems: one at a time (409), unknown (404), not paused (409). */
function replayProblem(error: unknown): unknown {
  if (!(error instanceof AnalyticsError)) return error;
  if (error.code === 'REPLAY_NOT_FOUND') return HttpProblem.notFound(error.message, error.code);
  if (error.code === 'REPLAY_IN_PROGRESS' || error.code === 'REPLAY_NOT_PAUSED') {
    return new HttpProblem({ status: 409, code: error.code, detail: error.message });
  }
  return error;
}

export function analyticsRoutes(router: Router, options: AnalyticsRoutesOptions): void {
  router.get('/api/summary', validate({ query: noQuery }), async (_req, res) => {
    res.json(await options.readSummary());
  });

  router.get('/api/stream', validate({ query: noQuery }), async (_req, res) => {
    await options.broadcaster.connect(res);
  });

  const operator = (action: string) => requireControlToken(options.controlToken, action);

  router.post(
    '/api/replay',
    operator('A replay'),
    validate({ query: noQuery }),
    async (_req, res) => {
      try {
        const replay = await options.replays.start();
        res.status(202).location(`/api/replay/${replay.id}`).json(replay);
      } catch (error) {
        throw replayProblem(error);
      }
    },
  );

  router.post(
    '/api/replay/:id/resume',
    operator('Resuming a replay'),
    validate({ params: replayId, query: noQuery }),
    async (req, res) => {
      try {
        const replay = await options.replays.resume(req.params.id as string);
        res.status(202).location(`/api/replay/${replay.id}`).json(replay);
      } catch (error) {
        throw replayProblem(error);
      }
    },
  );

  router.get('/api/replay/:id', validate({ params: replayId }), async (req, res) => {
    const replay = await options.replays.view(req.params.id);
    if (replay === undefined) {
      throw HttpProblem.notFound(`No replay ${req.params.id}`, 'REPLAY_NOT_FOUND');
    }
    res.json(replay);
  });
}
