/**
 * Ctrl-C handling for commands that run until stopped (consume, connectors): the first SIGINT or
 * SIGTERM asks the command to stop cleanly (leave the group, commit, close files); a second one exits
 * at once with 130, for a command stuck talking to a broker that went away.
 */
export class Interrupt {
  private readonly controller = new AbortController();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: exiting without cleaning up\n`);
      process.exit(130);
    }
    this.controller.abort(signal);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Stops the command from inside (max messages reached, end of input...). */
  stop(reason = 'done'): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Resolves when stopped, by a signal or by `stop()`. */
  wait(): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    return new Promise((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
