import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { otlpTracesUrl } from '@retail-streams/service-kit';
import { parse } from 'yaml';
import type { ComposeFile } from '../compose-file.ts';
import { environmentOf, repoRoot } from '../compose-file.ts';

/** The parts of an OpenTelemetry Collector configuration these checks read. */
export interface CollectorConfig {
  receivers?: Record<string, { protocols?: Record<string, { endpoint?: string } | null> } | null>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, { endpoint?: string; tls?: { insecure?: boolean } } | null>;
  service?: {
    pipelines?: Record<
      string,
      { receivers?: string[]; processors?: string[]; exporters?: string[] }
    >;
  };
}

/** Jaeger all-in-one's OTLP ports (COLLECTOR_OTLP_GRPC_HOST_PORT / _HTTP_HOST_PORT change them). */
const JAEGER_OTLP = { grpc: 4317, http: 4318 } as const;
/** Where the OTLP receiver listens when its endpoint is left out (collector 0.104 and later). */
const DEFAULT_RECEIVER = { grpc: 'localhost:4317', http: 'localhost:4318' } as const;

const serviceWithImage = (compose: ComposeFile, image: RegExp) =>
  Object.keys(compose.services).find((name) => image.test(compose.services[name]?.image ?? ''));

/** The collector's config file as the container reads it: `--config=<path>` and the volume there. */
export function readCollectorConfig(compose: ComposeFile): {
  service?: string;
  config?: CollectorConfig;
  problems: string[];
} {
  const service = serviceWithImage(compose, /^otel\/opentelemetry-collector/);
  if (!service) return { problems: ['no service runs the OpenTelemetry Collector'] };
  const command = compose.services[service]?.command ?? [];
  const inside = command.find((arg) => arg.startsWith('--config='))?.slice('--config='.length);
  const mount = (compose.services[service]?.volumes ?? [])
    .map((volume) => volume.split(':'))
    .find(([, target]) => target === inside);
  if (!inside || !mount?.[0] || !existsSync(join(repoRoot, mount[0])))
    return {
      service,
      problems: [
        `${service}: the collector is not started with --config=<a file mounted from this repository>`,
      ],
    };
  return {
    service,
    config: parse(readFileSync(join(repoRoot, mount[0]), 'utf8')) as CollectorConfig,
    problems: [],
  };
}

/**
 * Follows a span from the services to Jaeger: each service exports OTLP over HTTP to the collector
 * (service-kit's exporter is http/protobuf), a traces pipeline takes it from an OTLP receiver that
 * listens there on an address other containers reach, and exports it to Jaeger's OTLP port, which
 * Jaeger has open.
 */
export function tracePipelineProblems(
  compose: ComposeFile,
  collectorConfig: ReturnType<typeof readCollectorConfig> = readCollectorConfig(compose),
): string[] {
  const { service: collector, config } = collectorConfig;
  const problems = [...collectorConfig.problems];
  if (!collector || !config) return problems;

  const pipelines = Object.entries(config.service?.pipelines ?? {}).filter(
    ([name]) => name === 'traces' || name.startsWith('traces/'),
  );
  if (pipelines.length === 0) problems.push(`${collector}: no traces pipeline`);
  for (const [name, pipeline] of pipelines)
    for (const [kind, section] of [
      ['receivers', config.receivers],
      ['processors', config.processors],
      ['exporters', config.exporters],
    ] as const)
      for (const id of pipeline[kind] ?? [])
        if (!section || !(id in section))
          problems.push(
            `${collector}: pipeline ${name} references ${kind.slice(0, -1)} "${id}" which is not configured (the collector refuses to start)`,
          );
  const used = (kind: 'receivers' | 'exporters') =>
    pipelines.flatMap(([, pipeline]) => pipeline[kind] ?? []);

  // Services -> collector.
  const httpEndpoints = used('receivers')
    .filter((id) => id === 'otlp' || id.startsWith('otlp/'))
    .map((id) => {
      const protocols = config.receivers?.[id]?.protocols ?? {};
      return 'http' in protocols ? (protocols.http?.endpoint ?? DEFAULT_RECEIVER.http) : undefined;
    })
    .filter((endpoint): endpoint is string => endpoint !== undefined);
  for (const name of Object.keys(compose.services)) {
    const env = environmentOf(compose, name);
    const target = otlpTracesUrl(env);
    if (!target) continue;
    if (
      env['OTEL_EXPORTER_OTLP_PROTOCOL'] &&
      env['OTEL_EXPORTER_OTLP_PROTOCOL'] !== 'http/protobuf'
    )
      problems.push(
        `${name}: OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, what service-kit sends`,
      );
    const url = new URL(target);
    if (url.hostname !== collector) {
      problems.push(`${name}: exports spans to ${url.host}, but the collector is ${collector}`);
      continue;
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const receiver = httpEndpoints.find((endpoint) => portOf(endpoint) === port);
    if (!receiver)
      problems.push(
        `${name}: exports OTLP/HTTP to ${collector}:${port}, but the traces pipeline receives OTLP/HTTP on ${httpEndpoints.join(', ') || 'no port'}`,
      );
    else if (!listensForOthers(receiver, collector))
      problems.push(
        `${collector}: the OTLP/HTTP receiver listens on ${receiver}, which other containers cannot reach; use 0.0.0.0:${port}`,
      );
    if (url.pathname !== '/v1/traces')
      problems.push(
        `${name}: exports to ${url.pathname}, but the OTLP receiver takes traces at /v1/traces`,
      );
  }

  // Collector -> Jaeger.
  const jaeger = serviceWithImage(compose, /^jaegertracing\/all-in-one/);
  if (!jaeger) return [...problems, 'no service runs jaegertracing/all-in-one'];
  problems.push(...jaegerProblems(compose, jaeger));
  const exporters = used('exporters').filter(
    (id) => id.split('/')[0] === 'otlp' || id.split('/')[0] === 'otlphttp',
  );
  if (exporters.length === 0) problems.push(`${collector}: the traces pipeline exports no OTLP`);
  for (const id of exporters) {
    const exporter = config.exporters?.[id] ?? {};
    const grpc = id.split('/')[0] === 'otlp';
    const endpoint = exporter.endpoint ?? '';
    const url = new URL(/^\w+:\/\//.test(endpoint) ? endpoint : `grpc://${endpoint}`);
    const expected = grpc ? JAEGER_OTLP.grpc : JAEGER_OTLP.http;
    if (url.hostname !== jaeger || Number(url.port) !== expected)
      problems.push(
        `${collector}: exporter ${id} sends to ${endpoint || '(no endpoint)'}, but Jaeger takes OTLP/${grpc ? 'gRPC' : 'HTTP'} at ${jaeger}:${expected}`,
      );
    if (grpc && url.protocol !== 'http:' && exporter.tls?.insecure !== true)
      problems.push(
        `${collector}: exporter ${id} would speak TLS to Jaeger's plaintext OTLP port; set tls.insecure: true`,
      );
  }
  return problems;
}

/**
 * Whether Jaeger all-in-one takes OTLP on its default ports: from 1.35 (when OTLP arrived) it does
 * with COLLECTOR_OTLP_ENABLED=true, and from 1.46 on unless that is false.
 */
function jaegerProblems(compose: ComposeFile, jaeger: string): string[] {
  const env = environmentOf(compose, jaeger);
  const enabled = env['COLLECTOR_OTLP_ENABLED']?.toLowerCase();
  const version = /:(\d+)\.(\d+)/.exec(compose.services[jaeger]?.image ?? '');
  const minor = version?.[1] === '1' ? Number(version[2]) : undefined;
  const problems: string[] = [];
  if (minor === undefined)
    problems.push(
      `${jaeger}: pin a 1.x version of jaegertracing/all-in-one (its OTLP settings differ by version)`,
    );
  else if (minor < 35) problems.push(`${jaeger}: Jaeger before 1.35 has no OTLP receiver`);
  else if (enabled === 'false' || (minor < 46 && enabled !== 'true'))
    problems.push(
      `${jaeger}: OTLP is off (COLLECTOR_OTLP_ENABLED=${enabled ?? 'unset'}${minor < 46 ? ', and before 1.46 it defaults to false' : ''}); set it to true`,
    );
  for (const variable of ['COLLECTOR_OTLP_GRPC_HOST_PORT', 'COLLECTOR_OTLP_HTTP_HOST_PORT'])
    if (env[variable])
      problems.push(
        `${jaeger}: ${variable} moves Jaeger's OTLP port; this check assumes 4317/4318`,
      );
  return problems;
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

/** An endpoint bound to every interface, or to the collector's own name, is reachable from others. */
function listensForOthers(endpoint: string, collector: string): boolean {
  const host = endpoint.slice(0, endpoint.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === '' || host === '0.0.0.0' || host === '::' || host === collector;
}
