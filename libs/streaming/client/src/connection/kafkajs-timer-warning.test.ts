import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { silenceKafkaJsTimerWarning } from './kafkajs-timer-warning.ts';

const require = createRequire(import.meta.url);
// kafkajs's own request queue, the source of the negative timeout.
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: {
  logger: unknown;
}) => { scheduleCheckPendingRequests(): void; destroy(): void };

const warnings: string[] = [];
const collect = (warning: Error) => warnings.push(warning.name);
process.on('warning', collect);
afterEach(() => {
  warnings.length = 0;
});

/** Lets Node deliver the warnings raised so far ('warning' events come on the next tick). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("kafkajs's negative throttle timer", () => {
  it('raises a TimeoutNegativeWarning on Node 24 without the filter, and none with it', async () => {
    const logger = { namespace: () => logger, debug: () => undefined, warn: () => undefined };
    const before = new RequestQueue({ logger });
    before.scheduleCheckPendingRequests();
    await settle();
    expect(warnings).toContain('TimeoutNegativeWarning');
    before.destroy();

    warnings.length = 0;
    silenceKafkaJsTimerWarning();
    const after = new RequestQueue({ logger });
    after.scheduleCheckPendingRequests();
    await settle();
    expect(warnings).toEqual([]);
    after.destroy();
  });

  it('lets every other warning through, that one type raised elsewhere too', async () => {
    silenceKafkaJsTimerWarning();
    process.emitWarning('a negative delay of our own', 'TimeoutNegativeWarning');
    process.emitWarning('something else', 'ExperimentalWarning');
    await settle();
    expect(warnings).toEqual(['TimeoutNegativeWarning', 'ExperimentalWarning']);
  });
});
