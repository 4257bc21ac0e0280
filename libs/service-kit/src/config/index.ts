export { loadConfig } from './load-config.ts';
export type { Env } from './load-config.ts';
export { ConfigError } from './config-error.ts';
export type { ConfigProblem } from './config-error.ts';
export { commonConfig, hostPortList, kafkaConfig } from './common-config.ts';
