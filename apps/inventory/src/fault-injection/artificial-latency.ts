/**
 * A delay added on purpose to `POST /reservations` and to every event inventory handles, so a demo
 * can show what a slow dependency does to each order path: the sync path times out (503), the async
 * path keeps accepting orders and builds consumer lag. Changed at runtime by `POST /admin/latency`.
 */
export class ArtificialLatency {
  #ms: number;
  readonly #stopping: AbortSignal;

  constructor(ms: number, stopping: AbortSignal) {
    this.#ms = ms;
    this.#stopping = stopping;
  }

  get ms(): number {
    return this.#ms;
  }

  set(ms: number): void {
    this.#ms = ms;
  }

  /**
   * Waits the configured time. Shutdown cuts a wait short with an error, so a long injected delay
   * cannot hold up a stop: the request fails, and an event is redelivered after the restart.
   */
  async wait(): Promise<void> {
    const ms = this.#ms;
    if (ms <= 0) return;
    if (this.#stopping.aborted) throw stoppingError();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(stoppingError());
      };
      const timer = setTimeout(() => {
        this.#stopping.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.#stopping.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function stoppingError(): Error {
  return Object.assign(new Error('inventory is stopping'), { code: 'SERVICE_STOPPING' });
}
