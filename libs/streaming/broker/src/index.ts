export { startBroker } from './broker.ts';
export type { BrokerOptions, RunningBroker } from './broker.ts';
export {
  ConfigError,
  loadServerProperties,
  parseProperties,
  resolveBrokerConfig,
  serverPropertiesToOptions,
} from './config/index.ts';
export type { BrokerConfig } from './config/index.ts';
