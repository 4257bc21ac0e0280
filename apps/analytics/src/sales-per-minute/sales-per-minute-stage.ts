import { topics } from '@retail-streams/contracts';
import type { ExactlyOnceStage, Streaming } from '@retail-streams/streaming-client';
import type { AnalyticsConfig } from '../config.ts';
import { SalesWindowState, type SalesWindowSettings } from './sales-window-state.ts';

/**
 * The stage's consumer group: its own, so its offsets (the input position its state is rebuilt
 * from) never move with analytics' main group, replays or resets.
 */
export const SALES_PER_MINUTE_GROUP = 'analytics.sales-per-minute';

/** Its transactional id: a restarted analytics fences the transactions its predecessor left open. */
export const SALES_PER_MINUTE_TRANSACTIONAL_ID = 'analytics.sales-per-minute';

/**
 * Publishes units sold per SKU and window to `analytics.sales-per-minute`, exactly once, from
 * `inventory.reservation-result` (see SalesWindowState for the windows and the rebuild).
 * One analytics instance holds every input partition: a window's count spans them all.
 */
export function salesPerMinuteStage(
  streaming: Streaming,
  settings: SalesWindowSettings,
): ExactlyOnceStage {
  return streaming.exactlyOnceStage({
    groupId: SALES_PER_MINUTE_GROUP,
    transactionalId: SALES_PER_MINUTE_TRANSACTIONAL_ID,
    topic: topics.reservationResult.name,
    createState: (checkpoint) => new SalesWindowState(settings, checkpoint),
  });
}

/** Starts the stage with the service's settings; resolves to what stops it. */
export async function startSalesPerMinute(
  streaming: Streaming,
  config: Pick<AnalyticsConfig, 'SALES_WINDOW_MS' | 'WINDOW_GRACE_MS'>,
): Promise<() => Promise<void>> {
  const stage = salesPerMinuteStage(streaming, {
    windowMs: config.SALES_WINDOW_MS,
    graceMs: config.WINDOW_GRACE_MS,
  });
  await stage.start();
  return () => stage.stop();
}
