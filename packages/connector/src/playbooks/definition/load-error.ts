import type { LoadError } from '../types.ts';

/** `file:line: [CODE] step <id>: message`, what `siemlink playbooks validate` prints per error. */
export function formatLoadError(e: LoadError): string {
  const where = e.line === null ? e.file : `${e.file}:${e.line}`;
  return `${where}: [${e.code}]${e.step === null ? '' : ` step ${e.step}`}: ${e.message}`;
}

/** Every error, one line each, ordered by file and line. */
export function formatLoadErrors(errors: readonly LoadError[]): string[] {
  return [...errors]
    .sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))
    .map(formatLoadError);
}
