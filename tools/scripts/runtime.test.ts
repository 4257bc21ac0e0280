import { describe, expect, it } from 'vitest';
import { assertSupportedRuntime, nodeMajor } from './runtime.ts';

describe('the runtime check', () => {
  it('runs the test suite on the pinned Node 24 runtime, not the older system Node', () => {
    console.log(`tests run on Node ${process.version}`);
    expect(nodeMajor()).toBeGreaterThanOrEqual(24);
  });

  it('rejects a Node older than 22 with an error that says how to fix it', () => {
    expect(() => assertSupportedRuntime('20.20.2')).toThrow(/RUNTIME_TOO_OLD.*npm/);
    expect(() => assertSupportedRuntime('22.12.0')).not.toThrow();
  });
});
