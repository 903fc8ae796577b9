/** One line of a bulk body: its text, or only its size when it was over the per-line limit. */
export type SplitLine = { lineNo: number; text: string } | { lineNo: number; oversizeBytes: number };

/**
 * Splits a byte stream into lines on '\n' (a trailing '\r' is dropped) without ever holding
 * more than `maxLineBytes` of one line: the bytes of an oversize line are counted, not kept.
 * Push chunks, then call `end()`; lines are delivered to `onLine` in order.
 */
export class LineSplitter {
  readonly #max: number;
  readonly #onLine: (line: SplitLine) => void;
  #parts: Buffer[] = [];
  #partLen = 0;
  #oversize = false;
  #lineNo = 0;

  constructor(opts: { maxLineBytes: number; onLine: (line: SplitLine) => void }) {
    this.#max = opts.maxLineBytes;
    this.#onLine = opts.onLine;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, pos)) !== -1) {
      this.#append(chunk, pos, nl);
      this.#finish();
      pos = nl + 1;
    }
    if (pos < chunk.length) this.#append(chunk, pos, chunk.length);
  }

  /** Flushes the last line; a body ending in '\n' has no extra empty line. */
  end(): void {
    if (this.#partLen > 0 || this.#oversize) this.#finish();
  }

  #append(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    this.#partLen += n;
    if (this.#oversize) return;
    if (this.#partLen > this.#max) {
      this.#oversize = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(chunk.subarray(from, to));
  }

  #finish(): void {
    const lineNo = ++this.#lineNo;
    if (this.#oversize) {
      this.#onLine({ lineNo, oversizeBytes: this.#partLen });
    } else {
      const buf = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts, this.#partLen);
      let end = buf.length;
      if (end > 0 && buf[end - 1] === 13) end--;
      this.#onLine({ lineNo, text: buf.toString('utf8', 0, end) });
    }
    this.#parts = [];
    this.#partLen = 0;
    this.#oversize = false;
  }
}
