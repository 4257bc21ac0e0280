export {
  onShutdown,
  processShutdown,
  ShutdownError,
  ShutdownRegistry,
} from './shutdown-registry.ts';
export type { ShutdownOutcome, ShutdownStep } from './shutdown-registry.ts';
export { installSignalHandlers } from './signal-handlers.ts';
export type { SignalHandlerOptions } from './signal-handlers.ts';
export { runService } from './run-service.ts';
export type { RunServiceOptions } from './run-service.ts';
export { databaseNameOf, startService } from './start-service.ts';
export type { ServiceDatabaseOptions, ServiceStartup, StopStep } from './start-service.ts';
