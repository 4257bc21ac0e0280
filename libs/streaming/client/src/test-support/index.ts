// `@retail-streams/streaming-client/testing`: what the services' integration tests start from too.
export { readTopic, startStreamingFixture } from './streaming-fixture.ts';
export type { StreamingFixture } from './streaming-fixture.ts';
