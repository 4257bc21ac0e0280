/**
 * The one door from the scenarios into the demo orchestrator (apps/demo), so that they start the very
 * processes `npm start` starts, with the same environment. The module-boundary rule forbids importing
 * an application; end-to-end scenarios are the deliberate exception (type:e2e may depend on anything),
 * and keeping every such import in this file keeps the exception in one place.
 */
/* eslint-disable @nx/enforce-module-boundaries */
export { startStack } from '../../../apps/demo/src/stack/stack.ts';
export type { RunningStack } from '../../../apps/demo/src/stack/stack.ts';
export { ephemeralPorts, freePort } from '../../../apps/demo/src/stack/ports.ts';
export type { PortMap } from '../../../apps/demo/src/stack/ports.ts';
export { adminUrl } from '../../../apps/demo/src/stack/postgres-cluster.ts';
export { ManagedProcess } from '../../../apps/demo/src/stack/managed-process.ts';
export { serviceEntry, serviceEnv } from '../../../apps/demo/src/stack/services.ts';
export { repoRoot } from '../../../apps/demo/src/paths.ts';
/* eslint-enable @nx/enforce-module-boundaries */
