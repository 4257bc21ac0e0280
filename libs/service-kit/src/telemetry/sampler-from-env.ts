import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';

/**
 * The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name (the OTel SDK environment spec).
 * The parent-based ones follow the caller's decision, so an order is traced in every service or in
 * none: that is what keeps a sampled journey whole across HTTP and topics.
 */
export function samplerFromEnv(env: Record<string, string | undefined>): Sampler {
  const name = env['OTEL_TRACES_SAMPLER']?.trim() || 'parentbased_always_on';
  const ratio = (): number => {
    const arg = env['OTEL_TRACES_SAMPLER_ARG']?.trim();
    const value = arg === undefined || arg === '' ? 1 : Number(arg);
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new Error(`OTEL_TRACES_SAMPLER_ARG=${arg} must be a ratio from 0 to 1`);
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER=${name} is not supported: use always_on, always_off, traceidratio or their parentbased_ forms`,
      );
  }
}
