// `@retail-streams/streaming-client/testing`: what the services' integration tests start from too.
export { readTopic, startStreamingFixture } from './streaming-fixture.ts';
export type { StreamingFixture } from './streaming-fixture.ts';
export { upgradeFromServiceOwnedTables } from './migration-upgrade.ts';
export type { ServiceMigrations } from './migration-upgrade.ts';
export { streamingModelDifferences } from './streaming-models.ts';
