/** One self-overwriting progress line on a terminal's stderr; nothing when stderr is not a TTY. */
export interface Progress {
  report: ((message: string) => void) | undefined;
  /** Erases the line if one is shown, so the next output starts at column 0. */
  clear(): void;
}

export function createProgress(stream: { isTTY?: boolean; write(chunk: string): unknown }): Progress {
  if (!stream.isTTY) return { report: undefined, clear() {} };
  let shown = false;
  return {
    report(message) {
      stream.write(`\r\x1b[K${message}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
