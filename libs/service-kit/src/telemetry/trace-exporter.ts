import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * The OTLP/HTTP encoding spans are sent in, from OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL as the OTel
 * spec names them. http/protobuf is the spec's default and what compose's collector is sent;
 * http/json is what the demo's embedded collector in analytics reads (no protobuf decoder needed
 * there). gRPC is not offered: an unknown value is a configuration error, not a silent fallback.
 */
export function otlpProtocol(env: Record<string, string | undefined>): OtlpProtocol {
  const value = (
    env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ??
    env['OTEL_EXPORTER_OTLP_PROTOCOL'] ??
    'http/protobuf'
  ).trim();
  if (value === 'http/protobuf' || value === 'http/json') return value;
  throw new Error(
    `OTEL_EXPORTER_OTLP_PROTOCOL=${value} is not supported: use http/protobuf (the default) or http/json`,
  );
}

export function otlpTraceExporter(url: string, protocol: OtlpProtocol): SpanExporter {
  return protocol === 'http/json'
    ? new OtlpJsonExporter({ url })
    : new OtlpProtobufExporter({ url });
}
