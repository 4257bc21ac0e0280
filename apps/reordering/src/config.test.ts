import { describe, expect, it } from 'vitest';
import { loadReorderingConfig } from './config.ts';

const databaseUrl = 'postgresql://postgres:postgres@localhost:5432/reordering';

describe('loadReorderingConfig', () => {
  it('defaults to port 3003, a local broker and a ten-second supplier lead time', () => {
    expect(loadReorderingConfig({ DATABASE_URL: databaseUrl })).toMatchObject({
      PORT: 3003,
      KAFKA_BROKERS: ['localhost:9092'],
      SUPPLIER_LEAD_TIME_MS: 10_000,
    });
    expect(loadReorderingConfig({ DATABASE_URL: databaseUrl }).ACCESS_LOG_FILE).toBeUndefined();
  });

  it('reads brokers as a comma-separated list and the lead time as milliseconds', () => {
    const config = loadReorderingConfig({
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      SUPPLIER_LEAD_TIME_MS: '2500',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.SUPPLIER_LEAD_TIME_MS).toBe(2_500);
  });

  it('names every missing or invalid variable in one CONFIG_INVALID error', () => {
    let thrown: unknown;
    try {
      loadReorderingConfig({ SUPPLIER_LEAD_TIME_MS: '-1', KAFKA_BROKERS: 'no-port' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID' });
    const variables = (thrown as { problems: { variable: string }[] }).problems.map(
      (problem) => problem.variable,
    );
    expect(variables.sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'SUPPLIER_LEAD_TIME_MS']);
  });
});
