import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixKafkaJsRequestQueueTimer } from './kafkajs-request-queue-timer.ts';

const require = createRequire(import.meta.url);

interface RequestQueue {
  throttledUntil: number;
  checkPendingRequests(): void;
  push(request: {
    entry: { correlationId: number; resolve: () => void; reject: (error: Error) => void };
    expectResponse: boolean;
    sendRequest: () => void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
}

// kafkajs's own request queue: the class every connection of every client uses.
const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as new (options: {
  logger: unknown;
  maxInFlightRequests?: number;
}) => RequestQueue;

const logger = { namespace: () => logger, debug: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A queue whose checks are counted: each check after the first is a timer wake-up. */
function countedQueue(maxInFlightRequests?: number) {
  const queue = new RequestQueueClass({ logger, maxInFlightRequests });
  const check = queue.checkPendingRequests.bind(queue);
  const counted = { queue, checks: 0 };
  queue.checkPendingRequests = () => {
    counted.checks += 1;
    check();
  };
  return counted;
}

/** Pushes a request whose `sent` flag says whether the queue handed it to the socket. */
function push(queue: RequestQueue, correlationId: number) {
  const request = { sent: false };
  queue.push({
    entry: { correlationId, resolve: () => undefined, reject: () => undefined },
    expectResponse: true,
    sendRequest: () => {
      request.sent = true;
    },
  });
  return request;
}

describe("kafkajs's request queue timer", () => {
  // Runs first: the fix replaces a method of kafkajs's class for the whole process. If an upgraded
  // kafkajs no longer loops, this fails, and the fix can go.
  it('without the fix, wakes an idle queue about every millisecond, forever', async () => {
    const idle = countedQueue();
    idle.queue.checkPendingRequests();
    await sleep(100);
    idle.queue.destroy();
    expect(idle.checks).toBeGreaterThan(20);
  });

  it('with the fix, leaves an idle queue asleep', async () => {
    fixKafkaJsRequestQueueTimer();
    const idle = countedQueue();
    idle.queue.checkPendingRequests();
    await sleep(100);
    idle.queue.destroy();
    expect(idle.checks).toBe(1);
  });

  it('still sends a request held over the in-flight limit once a response frees a slot', () => {
    fixKafkaJsRequestQueueTimer();
    const { queue } = countedQueue(1);
    const first = push(queue, 1);
    const second = push(queue, 2);
    expect([first.sent, second.sent]).toEqual([true, false]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(second.sent).toBe(true);
    queue.destroy();
  });

  it('still sends a request held by client-side throttling when the throttle ends', async () => {
    fixKafkaJsRequestQueueTimer();
    const { queue } = countedQueue();
    queue.throttledUntil = Date.now() + 30;
    const held = push(queue, 1);
    expect(held.sent).toBe(false);
    await sleep(80);
    expect(held.sent).toBe(true);
    queue.destroy();
  });
});
