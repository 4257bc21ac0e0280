import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { prefixLine } from './log-format.ts';
import { describeExit } from './managed-process.ts';
import type { StackEvent } from './stack.ts';

/**
 * What the orchestrator prints: every process's lines with its name in front, and its own events.
 * Each process's raw output is also kept in `<dataDir>/logs/<name>.log`, for reading after a crash.
 */
export class ConsoleReporter {
  readonly #colour: boolean;
  readonly #logDir: string;
  readonly #files = new Map<string, WriteStream>();
  #out: NodeJS.WritableStream;
  readonly #showLines: boolean;

  constructor(
    logDir: string,
    options: { out?: NodeJS.WritableStream; colour?: boolean; showLines?: boolean } = {},
  ) {
    this.#logDir = logDir;
    mkdirSync(logDir, { recursive: true });
    this.#out = options.out ?? process.stdout;
    this.#colour = options.colour ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
    this.#showLines = options.showLines ?? true;
  }

  /**
   * Stops writing to the console (it is gone: a closed pipe or terminal); the per-process log files
   * go on.
   */
  detachConsole(): void {
    this.#out = { write: () => true } as unknown as NodeJS.WritableStream;
  }

  line = (name: string, line: string): void => {
    let file = this.#files.get(name);
    if (!file) {
      file = createWriteStream(join(this.#logDir, `${name}.log`), { flags: 'a' });
      this.#files.set(name, file);
    }
    file.write(`${line}\n`);
    if (this.#showLines)
      this.#out.write(`${prefixLine(name, line, { nameWidth: 10, colour: this.#colour })}\n`);
  };

  note(message: string): void {
    this.#out.write(`${this.#paint('1', `demo       | ${message}`)}\n`);
  }

  event = (event: StackEvent): void => {
    switch (event.type) {
      case 'starting':
        this.note(`starting ${event.name}`);
        break;
      case 'ready':
        this.note(
          `${event.name} ready in ${(event.ms / 1000).toFixed(1)} s${event.url ? ` (${event.url})` : ''}`,
        );
        break;
      case 'skipped':
        this.#out.write(
          `${this.#paint('33', `demo       | skipped ${event.name}: ${event.reason}`)}\n`,
        );
        break;
      case 'stopped':
        this.note(`${event.name} stopped`);
        break;
      case 'note':
        this.note(event.message);
        break;
      case 'died': {
        const { exit } = event;
        const lines = exit.lastLines.slice(-10).map((l) => `             ${l}`);
        this.#out.write(
          `${this.#paint(
            '1;31',
            [
              `demo       | !!! ${exit.name} (pid ${exit.pid}) DIED: ${describeExit(exit.code, exit.signal)}`,
              ...(lines.length > 0 ? [`demo       |     last lines:`, ...lines] : []),
              `demo       |     the rest keeps running; start it again from the dashboard's controls or restart the demo`,
            ].join('\n'),
          )}\n`,
        );
        break;
      }
    }
  };

  async close(): Promise<void> {
    await Promise.all(
      [...this.#files.values()].map(
        (file) => new Promise<void>((resolve) => file.end(() => resolve())),
      ),
    );
  }

  #paint(code: string, text: string): string {
    return this.#colour ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}
