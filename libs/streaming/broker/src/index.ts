export { startBroker } from './broker.ts';
export type { BrokerOptions, RunningBroker, RunningListener } from './broker.ts';
export {
  ConfigError,
  loadServerProperties,
  parseProperties,
  resolveBrokerConfig,
  serverPropertiesToOptions,
} from './config/index.ts';
export type { BrokerConfig } from './config/index.ts';
export type { AuthorizerOptions, ScramUserOptions } from './config/broker-options.ts';
export type { ListenerOptions, SecurityProtocol, SslOptions } from './config/listeners.ts';
