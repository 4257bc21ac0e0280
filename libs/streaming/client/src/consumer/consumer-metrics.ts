export interface TopicHandlerMetrics {
  processed: number;
  retried: number;
  deadLettered: number;
  /** Handler duration percentiles over the most recent records, in ms. */
  durationMs: { p50: number; p99: number; max: number };
}

const window = 1_024;

/** Counters and a sliding window of handler durations per topic, for health pages and the dashboard. */
export class ConsumerMetrics {
  readonly #topics = new Map<
    string,
    { processed: number; retried: number; deadLettered: number; durations: number[] }
  >();

  #entry(topic: string) {
    let entry = this.#topics.get(topic);
    if (!entry) {
      entry = { processed: 0, retried: 0, deadLettered: 0, durations: [] };
      this.#topics.set(topic, entry);
    }
    return entry;
  }

  recordProcessed(topic: string, durationMs: number): void {
    const entry = this.#entry(topic);
    entry.processed += 1;
    entry.durations.push(durationMs);
    if (entry.durations.length > window) entry.durations.shift();
  }

  recordRetry(topic: string): void {
    this.#entry(topic).retried += 1;
  }

  recordDeadLetter(topic: string): void {
    this.#entry(topic).deadLettered += 1;
  }

  snapshot(): Record<string, TopicHandlerMetrics> {
    const result: Record<string, TopicHandlerMetrics> = {};
    for (const [topic, entry] of this.#topics) {
      const sorted = [...entry.durations].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      result[topic] = {
        processed: entry.processed,
        retried: entry.retried,
        deadLettered: entry.deadLettered,
        durationMs: { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 },
      };
    }
    return result;
  }
}
