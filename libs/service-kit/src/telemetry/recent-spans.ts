import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Keeps the most recent finished spans in memory and sends them nowhere: what a service records
 * into when no collector is configured, and what tests read spans from. It is a span processor
 * rather than an exporter so that a span is readable the moment it ends (exporters are handed spans
 * asynchronously), and unlike the SDK's InMemorySpanExporter it is bounded, so a long-running local
 * demo does not grow without limit.
 */
export class RecentSpans implements SpanProcessor {
  readonly #limit: number;
  #spans: ReadableSpan[] = [];

  constructor(limit = 2_000) {
    this.#limit = limit;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Only finished spans are kept.
  }

  onEnd(span: ReadableSpan): void {
    this.#spans.push(span);
    if (this.#spans.length > this.#limit) this.#spans.splice(0, this.#spans.length - this.#limit);
  }

  /** Finished spans, oldest first. */
  getFinishedSpans(): ReadableSpan[] {
    return [...this.#spans];
  }

  reset(): void {
    this.#spans = [];
  }

  async forceFlush(): Promise<void> {
    // Nothing is buffered on the way out.
  }

  async shutdown(): Promise<void> {
    this.reset();
  }
}
