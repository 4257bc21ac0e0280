import { DemoError } from '@retail-streams/demo-stack';
import { runLoad } from './load-generator.ts';
import type { LoadProgress, LoadResult, OrderPath, PathSummary } from './load-generator.ts';
import { fetchSkus } from './order-factory.ts';

export interface LoadRequest {
  rate: number;
  /** Omitted: until stopped. */
  durationSeconds?: number;
  syncRatio: number;
}

export interface LoadStatus {
  running: boolean;
  request: LoadRequest | null;
  progress: LoadProgress | null;
  /** The last finished run, without the per-order list. */
  lastResult: { elapsedMs: number; skipped: number; paths: Record<OrderPath, PathSummary> } | null;
}

/** One load run at a time, started and stopped on demand (the fault controls' load buttons). */
export class LoadController {
  readonly #salesUrl: string;
  readonly #inventoryUrl: string;
  #abort: AbortController | null = null;
  #request: LoadRequest | null = null;
  #progress: LoadProgress | null = null;
  #lastResult: LoadResult | null = null;
  #running: Promise<LoadResult> | null = null;

  constructor(salesUrl: string, inventoryUrl: string) {
    this.#salesUrl = salesUrl;
    this.#inventoryUrl = inventoryUrl;
  }

  async start(request: LoadRequest): Promise<void> {
    if (this.#running)
      throw new DemoError('LOAD_RUNNING', 'a load run is already going: stop it first');
    const abort = new AbortController();
    this.#abort = abort;
    this.#request = request;
    this.#progress = null;
    const skus = await fetchSkus(this.#inventoryUrl);
    const run = runLoad({
      salesUrl: this.#salesUrl,
      rate: request.rate,
      durationMs: request.durationSeconds === undefined ? Infinity : request.durationSeconds * 1000,
      syncRatio: request.syncRatio,
      skus,
      signal: abort.signal,
      onProgress: (progress) => (this.#progress = progress),
    });
    this.#running = run;
    run
      .then((result) => (this.#lastResult = result))
      .catch(() => undefined)
      .finally(() => {
        if (this.#running === run) {
          this.#running = null;
          this.#abort = null;
        }
      });
  }

  /** Stops sending and waits for the answers still due. */
  async stop(): Promise<LoadResult | null> {
    const run = this.#running;
    if (!run) return null;
    this.#abort?.abort();
    const result = await run;
    this.#lastResult = result;
    if (this.#running === run) {
      this.#running = null;
      this.#abort = null;
    }
    return result;
  }

  status(): LoadStatus {
    const last = this.#lastResult;
    return {
      running: this.#running !== null,
      request: this.#request,
      progress: this.#progress,
      lastResult: last
        ? { elapsedMs: last.elapsedMs, skipped: last.skipped, paths: last.paths }
        : null,
    };
  }
}
