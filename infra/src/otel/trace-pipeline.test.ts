import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../compose-file.ts';
import type { ComposeFile } from '../compose-file.ts';
import { readCollectorConfig, tracePipelineProblems } from './trace-pipeline.ts';
import type { CollectorConfig } from './trace-pipeline.ts';

const compose = readComposeFile();
const collector = readCollectorConfig(compose);

function withEnv(service: string, changes: Record<string, string | undefined>): ComposeFile {
  const copy = structuredClone(compose);
  const environment = { ...copy.services[service]?.environment };
  for (const [name, value] of Object.entries(changes))
    if (value === undefined) delete environment[name];
    else environment[name] = value;
  copy.services[service] = { ...copy.services[service], environment };
  return copy;
}

/** The problems with the collector's configuration changed by `change`. */
function withCollector(change: (config: CollectorConfig) => void): string[] {
  const config = structuredClone(collector.config) as CollectorConfig;
  change(config);
  return tracePipelineProblems(compose, { ...collector, config });
}

describe('the trace path: services -> OpenTelemetry Collector -> Jaeger', () => {
  it('connects: OTLP/HTTP on the port the services export to, OTLP/gRPC on to Jaeger, OTLP on in Jaeger', () => {
    expect(collector.problems).toEqual([]);
    expect(tracePipelineProblems(compose)).toEqual([]);
  });

  it('refuses a service exporting to a port the collector does not receive OTLP/HTTP on', () => {
    expect(
      tracePipelineProblems(
        withEnv('sales', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4317' }),
      ),
    ).toEqual([
      'sales: exports OTLP/HTTP to otel-collector:4317, but the traces pipeline receives OTLP/HTTP on 0.0.0.0:4318',
    ]);
  });

  it('refuses a receiver left on its default endpoint, localhost, where no other container reaches it', () => {
    expect(
      withCollector((config) => {
        const http = config.receivers?.['otlp']?.protocols?.['http'];
        if (http) delete http.endpoint;
      }),
    ).toContain(
      'otel-collector: the OTLP/HTTP receiver listens on localhost:4318, which other containers cannot reach; use 0.0.0.0:4318',
    );
  });

  it('refuses a pipeline naming a component that is not configured, as the collector does', () => {
    expect(
      withCollector((config) => {
        const traces = config.service?.pipelines?.['traces'];
        if (traces) traces.processors = ['batch', 'memory_limiter'];
      }),
    ).toEqual([
      'otel-collector: pipeline traces references processor "memory_limiter" which is not configured (the collector refuses to start)',
    ]);
  });

  it("refuses an exporter aimed at Jaeger's HTTP port, its UI, or over TLS", () => {
    expect(
      withCollector((config) => {
        config.exporters = { 'otlp/jaeger': { endpoint: 'jaeger:4318' } };
      }),
    ).toEqual([
      'otel-collector: exporter otlp/jaeger sends to jaeger:4318, but Jaeger takes OTLP/gRPC at jaeger:4317',
      "otel-collector: exporter otlp/jaeger would speak TLS to Jaeger's plaintext OTLP port; set tls.insecure: true",
    ]);
  });

  it('accepts OTLP/HTTP to Jaeger too, on its HTTP port', () => {
    expect(
      withCollector((config) => {
        config.exporters = { otlphttp: { endpoint: 'http://jaeger:4318' } };
        const traces = config.service?.pipelines?.['traces'];
        if (traces) traces.exporters = ['otlphttp'];
      }),
    ).toEqual([]);
  });

  it('refuses Jaeger with OTLP turned off', () => {
    expect(tracePipelineProblems(withEnv('jaeger', { COLLECTOR_OTLP_ENABLED: 'false' }))).toEqual([
      'jaeger: OTLP is off (COLLECTOR_OTLP_ENABLED=false); set it to true',
    ]);
    const old = structuredClone(compose);
    old.services['jaeger'] = { image: 'jaegertracing/all-in-one:1.40.0' };
    expect(tracePipelineProblems(old)).toEqual([
      'jaeger: OTLP is off (COLLECTOR_OTLP_ENABLED=unset, and before 1.46 it defaults to false); set it to true',
    ]);
  });
});
