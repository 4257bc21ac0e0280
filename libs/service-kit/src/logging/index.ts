export { createLogger } from './create-logger.ts';
export type { CreateLoggerOptions, Logger } from './create-logger.ts';
export { terminalDestination } from './terminal-destination.ts';
