import type { Admin } from 'kafkajs';

/** Admin members that are not requests to the broker: they pass through untouched. */
const PASS_THROUGH = new Set<PropertyKey>(['on', 'logger', 'events']);

/**
 * An admin client that sends one request at a time, for an admin shared by concurrent tasks.
 *
 * kafkajs keeps one metadata cache per admin. `fetchTopicMetadata` for a topic the cache lacks
 * replaces the whole cache with that topic's metadata, and `fetchTopicOffsets` looks a topic's
 * partition leaders up in the cache twice (once for the high offsets, once for the low). When the
 * first replaces the cache between the second's two lookups, the second throws "Cannot destructure
 * property 'partitions' of 'low.pop(...)'" (kafkajs issue #461). One such failure stopped the
 * demo's connector process, which runs four file sources on one admin. Queueing the calls removes
 * the interleaving; each call is short, so the queue costs little.
 */
export function serialAdmin(admin: Admin): Admin {
  let tail: Promise<unknown> = Promise.resolve();
  return new Proxy(admin, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || PASS_THROUGH.has(property)) return value;
      return (...args: unknown[]) => {
        const call = tail.then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        // The next call waits for this one to settle, whether it succeeds or fails.
        tail = call.catch(() => undefined);
        return call;
      };
    },
  });
}
