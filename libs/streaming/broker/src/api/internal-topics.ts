/**
 * Kafka's internal topics. They are listed in Metadata with isInternal set (clients skip them in
 * listings and regex subscriptions) and clients may not produce to them: a stray `kcat -P -t
 * __consumer_offsets` must not be able to corrupt the group coordinator's state.
 */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}
