/**
 * Cuts a byte stream into lines. Child output arrives in arbitrary chunks; prefixing chunks instead of
 * lines would put a process name in the middle of another line. A partial last line is kept until
 * the next chunk or `flush()` (at exit), and an absurdly long line is cut rather than buffered forever.
 */
export class LineSplitter {
  #pending = '';
  readonly #onLine: (line: string) => void;
  readonly #maxLine: number;

  constructor(onLine: (line: string) => void, maxLine = 64 * 1024) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  push(chunk: string): void {
    let text = this.#pending + chunk;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#onLine(text.slice(0, newline).replace(/\r$/, ''));
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    while (text.length > this.#maxLine) {
      this.#onLine(text.slice(0, this.#maxLine));
      text = text.slice(this.#maxLine);
    }
    this.#pending = text;
  }

  flush(): void {
    if (this.#pending.length > 0) this.#onLine(this.#pending);
    this.#pending = '';
  }
}
