import { realpath } from 'node:fs/promises';
import { BUILTIN_PLAYBOOKS_DIR, loadPlaybooks, type LoadOptions } from './load.ts';
import { formatLoadErrors } from './load-error.ts';
import type { LoadError, LoadedPlaybook } from '../types.ts';

export interface ValidationResult {
  ok: boolean;
  /** The playbooks of `path` that load (not the built-ins used to resolve sub-playbooks). */
  playbooks: LoadedPlaybook[];
  errors: LoadError[];
  /** `file:line: [CODE] step <id>: message`, one per error, by file and line. */
  lines: string[];
}

/**
 * What `siemlink playbooks validate FILE|DIR` runs: the loader and every static check, with the
 * built-ins available as sub-playbooks. Validating the built-in folder itself checks it alone.
 */
export async function validatePlaybooks(path: string, opts: LoadOptions = {}): Promise<ValidationResult> {
  const real = await realpath(path).catch(() => path);
  const builtinDir = await realpath(BUILTIN_PLAYBOOKS_DIR);
  const isBuiltin = real === builtinDir || real.startsWith(`${builtinDir}/`);
  const { playbooks, errors } = await loadPlaybooks(path, {
    ...opts,
    builtin: isBuiltin ? false : opts.builtin,
  });
  const mine = isBuiltin ? playbooks : playbooks.filter((p) => !p.builtin);
  return { ok: errors.length === 0, playbooks: mine, errors, lines: formatLoadErrors(errors) };
}
