import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAYBOOK_LOAD_CODES } from '../../errors.ts';
import { createExpressions, type Expressions } from '../expressions/expressions.ts';
import type { LoadError, LoadedPlaybook } from '../types.ts';
import { checkPlaybook } from './check.ts';
import { parseYaml, schemaErrors, type ParsedFile } from './parse.ts';
import type { Playbook } from './schema.ts';

/** The folder of the playbooks shipped with siemlink. */
export const BUILTIN_PLAYBOOKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'builtin');

export interface LoadOptions {
  /** Also load the shipped playbooks (builtin/*.yaml). Default true. */
  builtin?: boolean;
  /** Shared with the engine so expressions are compiled once; a private one otherwise. */
  expressions?: Expressions;
  /** Playbooks already loaded that sub-playbook steps may call (loadPlaybookFile alone). */
  known?: readonly Playbook[];
}

export interface LoadResult {
  playbooks: LoadedPlaybook[];
  errors: LoadError[];
}

interface Candidate {
  parsed: ParsedFile;
  definition: Playbook;
  builtin: boolean;
}

/**
 * Loads every `*.yaml` / `*.yml` in `dir` (or the one file `dir` names) and, unless told not to,
 * the built-in playbooks. A playbook with any error is left out and each error names the file,
 * the line and the step; the others load. `dir` may be undefined: built-ins only.
 */
export async function loadPlaybooks(dir: string | undefined, opts: LoadOptions = {}): Promise<LoadResult> {
  const files: { file: string; builtin: boolean }[] = [];
  const errors: LoadError[] = [];
  if (opts.builtin !== false)
    for (const f of await yamlFiles(BUILTIN_PLAYBOOKS_DIR)) files.push({ file: f, builtin: true });
  if (dir !== undefined) {
    try {
      const st = await stat(dir);
      for (const f of st.isDirectory() ? await yamlFiles(dir) : [dir])
        files.push({ file: f, builtin: false });
    } catch (err) {
      errors.push(readError(dir, err));
    }
  }
  const candidates: Candidate[] = [];
  for (const { file, builtin } of files) {
    const r = await parseFile(file);
    errors.push(...r.errors);
    if (r.candidate) candidates.push({ ...r.candidate, builtin });
  }
  // name + version identify a playbook: a second file with the same pair is refused.
  const byKey = new Map<string, Candidate>();
  const unique: Candidate[] = [];
  for (const c of candidates) {
    const key = `${c.definition.name}@${c.definition.version}`;
    const first = byKey.get(key);
    if (first) {
      errors.push({
        file: c.parsed.file,
        line: c.parsed.lineOf(['version']),
        step: null,
        code: PLAYBOOK_LOAD_CODES.duplicateVersion,
        message: `playbook ${c.definition.name} version ${c.definition.version} is already defined in ${first.parsed.file}: raise the version`,
      });
    } else {
      byKey.set(key, c);
      unique.push(c);
    }
  }
  errors.push(...checkAll(unique, opts.expressions ?? createExpressions()));
  const loaded = unique.filter((c) => !errors.some((e) => e.file === c.parsed.file));
  return {
    playbooks: loaded.map((c) => ({ file: c.parsed.file, definition: c.definition, builtin: c.builtin })),
    errors,
  };
}

/** Loads one file; sub-playbooks it calls are looked up in `opts.known` (and the built-ins). */
export async function loadPlaybookFile(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const r = await parseFile(file);
  if (!r.candidate) return { playbooks: [], errors: r.errors };
  const c: Candidate = { ...r.candidate, builtin: false };
  let known = [...(opts.known ?? [])];
  if (opts.builtin !== false && known.length === 0) {
    known = (await loadPlaybooks(undefined, { expressions: opts.expressions })).playbooks.map(
      (p) => p.definition,
    );
  }
  const errors = checkAll([c], opts.expressions ?? createExpressions(), known);
  return {
    playbooks: errors.length ? [] : [{ file, definition: c.definition, builtin: false }],
    errors,
  };
}

async function parseFile(
  file: string,
): Promise<{ candidate?: Omit<Candidate, 'builtin'>; errors: LoadError[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { errors: [readError(file, err)] };
  }
  const { parsed, errors } = parseYaml(file, text);
  if (!parsed) return { errors };
  const invalid = schemaErrors(parsed);
  if (invalid.length) return { errors: invalid };
  return { candidate: { parsed, definition: parsed.value as Playbook }, errors: [] };
}

/**
 * Static checks over a set that may call each other: a playbook whose sub-playbook is refused
 * is refused too (its step names the missing playbook), until nothing changes.
 */
function checkAll(set: Candidate[], expressions: Expressions, extra: readonly Playbook[] = []): LoadError[] {
  const errors: LoadError[] = [];
  let live = [...set];
  for (;;) {
    const pool = [...live.map((c) => c.definition), ...extra];
    const resolve = (name: string, version?: number) =>
      pool
        .filter((p) => p.name === name && (version === undefined || p.version === version))
        .sort((a, b) => b.version - a.version)[0];
    const next: Candidate[] = [];
    for (const c of live) {
      const e = checkPlaybook(c.parsed, c.definition, expressions, resolve);
      if (e.length) errors.push(...e);
      else next.push(c);
    }
    if (next.length === live.length) return errors;
    live = next;
  }
}

async function yamlFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function readError(file: string, err: unknown): LoadError {
  return {
    file,
    line: null,
    step: null,
    code: PLAYBOOK_LOAD_CODES.read,
    message: `cannot read ${relative(process.cwd(), file) || file}: ${(err as Error).message}`,
  };
}
