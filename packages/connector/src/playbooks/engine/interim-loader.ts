import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { Playbook } from '../definition/schema.ts';
import type { LoadedPlaybook, LoadError } from '../types.ts';

/** The built-in playbooks shipped with the connector (playbooks/builtin/*.yaml). */
export const BUILTIN_PLAYBOOKS_DIR = fileURLToPath(new URL('../builtin/', import.meta.url));

/**
 * Reads every *.yaml / *.yml of the folders and checks it against the schema. A stand-in until
 * the definition loader (definition/load.ts: line positions, static reference checks) is wired in
 * its place; same result shape. A missing folder is no error (nothing to load).
 */
export function loadPlaybookFolders(folders: readonly { dir: string; builtin: boolean }[]): {
  playbooks: LoadedPlaybook[];
  errors: LoadError[];
} {
  const playbooks: LoadedPlaybook[] = [];
  const errors: LoadError[] = [];
  for (const { dir, builtin } of folders) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const file = join(dir, name);
      try {
        const value = Value.Default(Playbook, parse(readFileSync(file, 'utf8')) as unknown);
        const first = Value.Errors(Playbook, value).First();
        if (first) {
          errors.push({
            file,
            line: null,
            step: null,
            code: 'PLAYBOOK_INVALID',
            message: `${first.path || '/'}: ${first.message}`,
          });
          continue;
        }
        playbooks.push({ file, definition: value as Playbook, builtin });
      } catch (err) {
        errors.push({
          file,
          line: null,
          step: null,
          code: 'PLAYBOOK_INVALID',
          message: (err as Error).message,
        });
      }
    }
  }
  return { playbooks, errors };
}
