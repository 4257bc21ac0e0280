/**
 * A one-line counter on stderr for long operations, redrawn at most every 200 ms. Only when stderr
 * is a terminal: in pipes, logs and tests it prints nothing, so it never mixes into captured output.
 */
export class Progress {
  private readonly enabled: boolean;
  private readonly render: () => string;
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(render: () => string, enabled = process.stderr.isTTY === true) {
    this.render = render;
    this.enabled = enabled;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => this.draw(), 200);
    this.timer.unref();
  }

  private draw(): void {
    process.stderr.write(`\r\x1b[2K${this.render()}`);
    this.drawn = true;
  }

  /** Clears the line, so the final report starts on a clean one. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.drawn) process.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }
}
