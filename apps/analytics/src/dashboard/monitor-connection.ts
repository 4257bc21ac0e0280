import {
  clientSecurityFromEnv,
  type ClientSecurity,
  type KafkaSecurityEnv,
} from '@retail-streams/streaming-client';
import type { DashboardConfig } from './dashboard-config.ts';

export interface MonitorConnection {
  brokers: readonly string[];
  security: ClientSecurity;
}

/**
 * The connection the dashboard reads groups and ACLs through: the DASHBOARD_KAFKA_* variables when
 * DASHBOARD_KAFKA_BROKERS is set, else analytics' own KAFKA_* connection.
 */
export function monitorConnection(
  config: DashboardConfig & KafkaSecurityEnv & { KAFKA_BROKERS: readonly string[] },
): MonitorConnection {
  if (config.DASHBOARD_KAFKA_BROKERS === undefined)
    return { brokers: config.KAFKA_BROKERS, security: clientSecurityFromEnv(config) };
  return {
    brokers: config.DASHBOARD_KAFKA_BROKERS,
    security: clientSecurityFromEnv({
      KAFKA_SECURITY_PROTOCOL: config.DASHBOARD_KAFKA_SECURITY_PROTOCOL,
      KAFKA_SASL_MECHANISM: config.DASHBOARD_KAFKA_SASL_MECHANISM,
      KAFKA_SASL_USERNAME: config.DASHBOARD_KAFKA_SASL_USERNAME,
      KAFKA_SASL_PASSWORD: config.DASHBOARD_KAFKA_SASL_PASSWORD,
      KAFKA_SSL_CA_LOCATION: config.DASHBOARD_KAFKA_SSL_CA_LOCATION,
      KAFKA_SSL_CHECK_HOSTNAME: config.DASHBOARD_KAFKA_SSL_CHECK_HOSTNAME,
    }),
  };
}
