import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4's request queue (src/network/requestQueue, `scheduleCheckPendingRequests`) re-arms its
 * throttle check after every check, whether or not a request waits, with a delay of
 * `throttledUntil - Date.now()`. throttledUntil starts at -1, so the delay is minus the epoch time,
 * which Node clamps to 1 ms (printing a TimeoutNegativeWarning since Node 23). Every connection of
 * every client thus wakes its process a thousand times a second for nothing, forever (kafkajs issues
 * #1556 and #1704). Here that was 60-80 ms of CPU per second in each idle service, and under load the
 * wake-ups competed with the work.
 *
 * The check only matters while a request waits in the queue: one over the in-flight limit is sent
 * when a response frees a slot (kafkajs checks the queue on every response and timeout), and one held
 * by client-side throttling when the throttle ends. So the timer is armed only while the queue holds
 * requests, for the throttle's remainder or kafkajs's own 10 ms. The fix belongs in kafkajs, which
 * has had no release since 2.2.4 (the version is pinned in package.json); replacing one method of its
 * class at run time avoids an install script on every `npm install`.
 */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

interface KafkaJsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

let installed = false;

/** Idempotent; call it before the first kafkajs client connects (createKafka does). */
export function fixKafkaJsRequestQueueTimer(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: KafkaJsRequestQueue;
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: KafkaJsRequestQueue) {
    if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
    const throttledForMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
}
