import type { Router } from 'express';
import { z } from 'zod';
import { HttpProblem, validate } from '@retail-streams/service-kit';
import { AnalyticsError } from '../analytics-error.ts';
import type { ReplayCoordinator } from '../replay/replay-coordinator.ts';
import type { AnalyticsSummary } from '../summary/summary-types.ts';
import type { SummaryBroadcaster } from './summary-broadcaster.ts';

export interface AnalyticsRoutesOptions {
  readSummary: () => Promise<AnalyticsSummary>;
  broadcaster: SummaryBroadcaster;
  replays: ReplayCoordinator;
}

const noQuery = z.object({}).strict();

export function analyticsRoutes(router: Router, options: AnalyticsRoutesOptions): void {
  router.get('/api/summary', validate({ query: noQuery }), async (_req, res) => {
    res.json(await options.readSummary());
  });

  router.get('/api/stream', validate({ query: noQuery }), async (_req, res) => {
    await options.broadcaster.connect(res);
  });

  router.post('/api/replay', validate({ query: noQuery }), async (_req, res) => {
    try {
      const replay = await options.replays.start();
      res.status(202).location(`/api/replay/${replay.id}`).json(replay);
    } catch (error) {
      if (error instanceof AnalyticsError && error.code === 'REPLAY_IN_PROGRESS') {
        throw new HttpProblem({ status: 409, code: error.code, detail: error.message });
      }
      throw error;
    }
  });

  router.get(
    '/api/replay/:id',
    validate({ params: z.object({ id: z.uuid() }) }),
    async (req, res) => {
      const replay = await options.replays.view(req.params.id);
      if (replay === undefined) {
        throw HttpProblem.notFound(`No replay ${req.params.id}`, 'REPLAY_NOT_FOUND');
      }
      res.json(replay);
    },
  );
}
