import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import {
  streamingModelDifferences,
  upgradeFromServiceOwnedTables,
} from '@retail-streams/streaming-client/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const migrations = {
  migrationsDir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)),
  previousMigrationsDir: fileURLToPath(
    new URL('./test-support/migrations-before-streaming-client', import.meta.url),
  ),
};

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe('inventory migrations', () => {
  it('upgrade a database that got the outbox tables from inventory itself to what a new database gets', async () => {
    const result = await upgradeFromServiceOwnedTables(postgres, 'inventory', migrations);
    // The inventory migration that created the outbox tables still counts as applied (its file names the
    // checksum it had then); the streaming client's migration runs and finds its tables there.
    expect(result.upgrade.alreadyApplied).toEqual(['20261201000000_init']);
    expect(result.upgrade.applied).toContain('20261120000000_streaming_client_outbox_inbox');
    expect(result.upgraded).toEqual(result.fresh);
    expect(result.fresh.triggers.join('\n')).toContain('outbox_events_inserted');
  });

  it("declare the streaming client's tables in schema.prisma as the streaming client does", () => {
    const schema = readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
    expect(schema).toContain('model OutboxEvent');
    expect(streamingModelDifferences(schema)).toEqual([]);
  });
});
