import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonConfig, hostPortList, loadConfig } from './index.ts';

const schema = z.object({
  ...commonConfig,
  DATABASE_URL: z.url(),
  KAFKA_BROKERS: hostPortList,
  OUTBOX_RELAY_ENABLED: z.stringbool().default(true),
  ORDER_LIMIT: z.coerce.number().int().positive(),
});

const validEnv = {
  DATABASE_URL: 'postgres://u:p@localhost:5433/sales',
  KAFKA_BROKERS: 'localhost:9092',
  ORDER_LIMIT: '1',
};

function failureOf(
  env: Record<string, string | undefined>,
  withSchema: z.ZodObject = schema,
): ConfigError {
  try {
    loadConfig(withSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://u:p@localhost:5433/sales',
      KAFKA_BROKERS: 'localhost:9092, localhost:9093',
      ORDER_LIMIT: '50',
      OUTBOX_RELAY_ENABLED: 'false',
    });
    expect(config).toEqual({
      PORT: 3000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      DATABASE_URL: 'postgres://u:p@localhost:5433/sales',
      KAFKA_BROKERS: ['localhost:9092', 'localhost:9093'],
      OUTBOX_RELAY_ENABLED: false,
      ORDER_LIMIT: 50,
    });
  });

  it('binds loopback unless HOST names another interface', () => {
    const host = z.object({ HOST: commonConfig.HOST });
    expect(loadConfig(host, {}).HOST).toBe('127.0.0.1');
    expect(loadConfig(host, { HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(loadConfig(host, { HOST: '::' }).HOST).toBe('::');
    expect(loadConfig(host, { HOST: 'sales.internal' }).HOST).toBe('sales.internal');
    const error = failureOf({ ...validEnv, HOST: 'every interface' }, host);
    expect(error.problems).toEqual([
      {
        variable: 'HOST',
        kind: 'invalid',
        expected: 'an IP address or host name to bind (0.0.0.0 for every interface)',
      },
    ]);
  });

  it('treats an empty variable as absent so the default applies', () => {
    const config = loadConfig(z.object({ PORT: commonConfig.PORT }), { PORT: '' });
    expect(config.PORT).toBe(3000);
  });

  it('lists every missing and invalid variable at once, with code CONFIG_INVALID', () => {
    const error = failureOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      KAFKA_BROKERS: 'nohost',
      DATABASE_URL: undefined,
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems.map((p) => [p.variable, p.kind])).toEqual([
      ['PORT', 'invalid'],
      ['LOG_LEVEL', 'invalid'],
      ['DATABASE_URL', 'missing'],
      ['KAFKA_BROKERS', 'invalid'],
      ['ORDER_LIMIT', 'missing'],
    ]);
    for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'KAFKA_BROKERS', 'ORDER_LIMIT']) {
      expect(error.message).toContain(`- ${variable}:`);
    }
    expect(error.problems.find((p) => p.variable === 'LOG_LEVEL')?.expected).toMatch(/info/);
    expect(error.problems.find((p) => p.variable === 'KAFKA_BROKERS')?.expected).toMatch(
      /host:port/,
    );
  });

  it('never echoes a value, since configuration holds secrets', () => {
    const error = failureOf({
      DATABASE_URL: 'not a url with secret-password',
      KAFKA_BROKERS: 'localhost:9092',
      ORDER_LIMIT: '1',
    });
    expect(error.problems).toEqual([
      expect.objectContaining({ variable: 'DATABASE_URL', kind: 'invalid' }),
    ]);
    expect(error.message).not.toContain('secret-password');
  });
});
