import { stat } from 'node:fs/promises';
import { loadPlaybookFile, loadPlaybooks } from '@siemlink/connector/playbooks/definition/load.ts';
import { formatLoadErrors } from '@siemlink/connector/playbooks/definition/load-error.ts';
import type { LoadError } from '@siemlink/connector/playbooks/types.ts';
import { note, printText } from '../output.ts';
import { argumentError } from '../options.ts';

/**
 * `playbooks validate PATH...`: each file (or folder of *.yaml) through the loader the connector
 * uses, built-ins known for sub-playbook steps. One `file:line: [CODE] step <id>: message` per
 * error on stdout; exit 1 on any.
 */
export async function runPlaybooksValidate(paths: string[]): Promise<void> {
  const errors: LoadError[] = [];
  let ok = 0;
  for (const path of paths) {
    const dir = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const r = dir ? await loadPlaybooks(path) : await loadPlaybookFile(path);
    errors.push(...r.errors);
    ok += r.playbooks.filter((p) => !p.builtin).length;
  }
  for (const line of formatLoadErrors(errors)) printText(line);
  note(`${ok} playbook(s) valid, ${errors.length} error(s)`);
  if (errors.length) process.exitCode = 1;
}

/** `playbooks test FILE --incident ID` (needs the playbook engine's test harness; not in this build). */
export async function runPlaybooksTest(_file: string, _flags: { incident: string }): Promise<void> {
  throw argumentError('playbooks test is not available in this build yet');
}
