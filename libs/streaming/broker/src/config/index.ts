export { ConfigError } from './config-error.ts';
export type { BrokerConfig, BrokerOptions } from './broker-options.ts';
export { parseProperties } from './properties.ts';
export { loadServerProperties, serverPropertiesToOptions } from './server-properties.ts';
export type { ServerPropertiesResult } from './server-properties.ts';
export {
  resolveBrokerConfig,
  DEFAULT_PORT,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_RETENTION_CHECK_INTERVAL_MS,
} from './resolve-config.ts';
