import type { Response } from 'express';
import type { Logger } from '@retail-streams/streaming-client';
import type { AnalyticsSummary } from '../summary/summary-types.ts';

export interface SummaryBroadcasterOptions {
  /** Reads the current summary (from the database). */
  read: () => Promise<AnalyticsSummary>;
  /** At most one summary per this many ms, however often the aggregates change. */
  throttleMs: number;
  /** A comment line this often keeps proxies and browsers from closing an idle stream. */
  keepAliveMs: number;
  logger: Logger;
}

/**
 * The server-sent events behind `GET /api/stream`. Each client gets a `summary` event when it connects
 * and after the aggregates change — throttled, so a burst of commits costs one database read and one
 * event per client per interval — plus `: keep-alive` comments while nothing changes. A client that
 * disconnects is dropped at once.
 */
export class SummaryBroadcaster {
  readonly #options: SummaryBroadcasterOptions;
  readonly #clients = new Set<Response>();
  readonly #keepAlive: NodeJS.Timeout;
  #timer: NodeJS.Timeout | undefined;
  #lastSentAt = 0;
  #sending: Promise<void> | undefined;
  #dirty = false;
  #closed = false;
  #eventId = 0;

  constructor(options: SummaryBroadcasterOptions) {
    this.#options = options;
    this.#keepAlive = setInterval(() => this.#writeAll(': keep-alive\n\n'), options.keepAliveMs);
    this.#keepAlive.unref();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Takes over an HTTP response as an event stream. */
  async connect(response: Response): Promise<void> {
    response.status(200);
    response.set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    // Tell EventSource how long to wait before reconnecting.
    response.write('retry: 2000\n\n');
    this.#clients.add(response);
    response.on('close', () => this.#clients.delete(response));
    try {
      const summary = await this.#options.read();
      this.#write(response, this.#event(summary));
    } catch (error) {
      this.#options.logger.warn({ error: (error as Error).message }, 'SSE snapshot failed');
    }
  }

  /** The aggregates changed: send a summary to every client, at most once per throttle interval. */
  changed(): void {
    if (this.#closed || this.#clients.size === 0) return;
    this.#dirty = true;
    if (this.#timer !== undefined || this.#sending !== undefined) return;
    const wait = Math.max(0, this.#lastSentAt + this.#options.throttleMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sending = this.#send().finally(() => {
        this.#sending = undefined;
        if (this.#dirty) this.changed();
      });
    }, wait);
  }

  /** Ends every stream (shutdown). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#keepAlive);
    clearTimeout(this.#timer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  async #send(): Promise<void> {
    this.#dirty = false;
    this.#lastSentAt = Date.now();
    try {
      const summary = await this.#options.read();
      this.#writeAll(this.#event(summary));
    } catch (error) {
      this.#options.logger.warn({ error: (error as Error).message }, 'SSE summary failed');
    }
  }

  #event(summary: AnalyticsSummary): string {
    this.#eventId += 1;
    return `id: ${this.#eventId}\nevent: summary\ndata: ${JSON.stringify(summary)}\n\n`;
  }

  #writeAll(text: string): void {
    for (const client of this.#clients) this.#write(client, text);
  }

  #write(client: Response, text: string): void {
    if (client.writableEnded || client.destroyed) {
      this.#clients.delete(client);
      return;
    }
    client.write(text);
  }
}
