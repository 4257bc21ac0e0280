import { z } from 'zod';

/**
 * The dashboard's environment, spread into analytics' config schema. The demo control variables are
 * set only by the local demo orchestrator (never in compose): without them the fault controls are off.
 */
export const dashboardConfig = {
  /** The orchestrator's control endpoint (127.0.0.1 only), e.g. http://127.0.0.1:3999. */
  DEMO_CONTROL_URL: z.url().optional(),
  /** The orchestrator's per-run token; sent upstream as `Authorization: Bearer`, never to the page. */
  DEMO_CONTROL_TOKEN: z.string().min(1).optional(),
  /** Where reordering's `GET /purchase-orders` answers (the open purchase orders panel). */
  REORDERING_URL: z.url().default('http://localhost:3003'),
};

export interface DashboardConfig {
  DEMO_CONTROL_URL?: string | undefined;
  DEMO_CONTROL_TOKEN?: string | undefined;
  REORDERING_URL: string;
}
