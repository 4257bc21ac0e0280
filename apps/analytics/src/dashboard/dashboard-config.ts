import { hostPortList, kafkaConfig } from '@retail-streams/service-kit';
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
  /**
   * Where and as whom the dashboard reads the cluster's groups and ACLs, when that is not analytics'
   * own connection: on a secured cluster analytics may see only its own groups. The local demo points
   * it at the broker's loopback operator listener; compose gives it the read-only `dashboard` user.
   */
  DASHBOARD_KAFKA_BROKERS: hostPortList.optional(),
  DASHBOARD_KAFKA_SECURITY_PROTOCOL: kafkaConfig.KAFKA_SECURITY_PROTOCOL,
  DASHBOARD_KAFKA_SASL_MECHANISM: kafkaConfig.KAFKA_SASL_MECHANISM,
  DASHBOARD_KAFKA_SASL_USERNAME: kafkaConfig.KAFKA_SASL_USERNAME,
  DASHBOARD_KAFKA_SASL_PASSWORD: kafkaConfig.KAFKA_SASL_PASSWORD,
  DASHBOARD_KAFKA_SSL_CA_LOCATION: kafkaConfig.KAFKA_SSL_CA_LOCATION,
  DASHBOARD_KAFKA_SSL_CHECK_HOSTNAME: kafkaConfig.KAFKA_SSL_CHECK_HOSTNAME,
};

export type DashboardConfig = z.infer<z.ZodObject<typeof dashboardConfig>>;
