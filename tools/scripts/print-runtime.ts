import { assertSupportedRuntime } from './runtime.ts';

assertSupportedRuntime();
console.log(`[runtime] Node ${process.version}`);
