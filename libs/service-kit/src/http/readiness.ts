/**
 * A readiness check resolves when its dependency is usable and throws (or resolves `false`) when it
 * is not. Checks are registered by name — `database`, `broker`, `consumers` — by whatever owns the
 * dependency, possibly after the app was created (consumers start later).
 */
export type ReadinessCheck = () => Promise<unknown> | unknown;

export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckResult>;
  shuttingDown?: true;
}

export class ReadinessChecks {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #shuttingDown = false;

  constructor(options: { timeoutMs?: number } = {}) {
    // A hung dependency must make the probe answer 503 promptly, not hang the probe itself.
    this.#timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** Registers (or replaces) a check; returns a function that removes it. */
  add(name: string, check: ReadinessCheck): () => void {
    this.#checks.set(name, check);
    return () => {
      if (this.#checks.get(name) === check) this.#checks.delete(name);
    };
  }

  /**
   * From now on the service reports not-ready, so that a load balancer stops routing to it while
   * shutdown drains in-flight work. Register it as the LAST shutdown step so it runs first.
   */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  async run(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.#checks.entries()].map(
        async ([name, check]) => [name, await this.#runOne(check)] as const,
      ),
    );
    const checks: Record<string, CheckResult> = Object.fromEntries(results);
    const allUp = results.every(([, result]) => result.status === 'up');
    const report: ReadinessReport = {
      status: allUp && !this.#shuttingDown ? 'ready' : 'not_ready',
      checks,
    };
    if (this.#shuttingDown) report.shuttingDown = true;
    return report;
  }

  async #runOne(check: ReadinessCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
      const durationMs = Math.round(performance.now() - started);
      if (outcome === false)
        return { status: 'down', durationMs, error: 'check reported not ready' };
      return { status: 'up', durationMs };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      return {
        status: 'down',
        durationMs,
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
