// The demo's stack: embedded PostgreSQL, the broker, the four services and the access-log connector,
// each a supervised child process. `apps/demo` runs it in a terminal (npm start, npm run infra, the
// scenarios, the bench); the end-to-end scenarios start the very same processes through it.
export {
  SERVICE_MECHANISM,
  kafkaPasswords,
  participantKafkaEnv,
  stackAcls,
  writeClientProperties,
} from './broker-security.ts';
export type { KafkaPasswords } from './broker-security.ts';
export { ConsoleReporter } from './console-reporter.ts';
export { DemoError } from './demo-error.ts';
export type { DemoErrorCode } from './demo-error.ts';
export { envFileText, writeInfraEnvFiles } from './infra-env.ts';
export { isLoopback, listeningSockets } from './listening-sockets.ts';
export type { ListeningSocket } from './listening-sockets.ts';
export { colourFor, prefixLine, readableLine } from './log-format.ts';
export type { LineFormatOptions } from './log-format.ts';
export { ManagedProcess, describeExit } from './managed-process.ts';
export type {
  ManagedProcessHooks,
  ProcessExit,
  ProcessSpec,
  ProcessState,
  Readiness,
} from './managed-process.ts';
export { defaultDataDir, repoRoot } from './paths.ts';
export type { RecordedProcess } from './pid-file.ts';
export { DEFAULT_PORTS, ephemeralPorts, freePort, freePortBlock, portsFromBase } from './ports.ts';
export type { PortMap } from './ports.ts';
export { POSTGRES_PASSWORD, POSTGRES_USER, adminUrl } from './postgres-cluster.ts';
export { processAlive, processGroupAlive, signalGroup } from './process-group.ts';
export {
  NODE_MEMORY_FLAGS,
  SERVICE_NAMES,
  isServiceName,
  serviceEntry,
  serviceEnv,
  serviceExists,
} from './services.ts';
export type { ServiceEnvInput, ServiceName } from './services.ts';
export { ACCESS_LOG_CONNECTOR, startStack } from './stack.ts';
export type { ProcessStatus, RunningStack, StackEvent, StackOptions, StackUrls } from './stack.ts';
