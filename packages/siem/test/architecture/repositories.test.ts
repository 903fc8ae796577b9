import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');

/** Every source line of the SIEM matching `pattern`, as `file:line: text`, unless `allowed(file)`. */
function linesMatching(pattern: RegExp, allowed: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts') || allowed(file)) continue;
    readFileSync(join(SRC, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (pattern.test(text)) found.push(`${file}:${i + 1}: ${text.trim()}`);
      });
  }
  return found;
}

/**
 * A worker thread opens its own read-only connection and builds its own repository on it (the
 * rule scan worker, the search worker): the thread is the unit, not the app's context.
 */
const WORKERS = ['modules/rules/engine/scan-worker.ts', 'modules/search/search-worker.ts'];

/** SQL is prepared or run (`prepare(`, `db.exec(`) only by repositories and the store itself. */
const SQL = /\.prepare\(|\bdb\.exec\(/;
const mayRunSql = (file: string) =>
  file.startsWith('store/') || basename(file).endsWith('repository.ts') || WORKERS.includes(file);

/** A repository (or writer, searcher) of the store built from it: `createSqlite…(`. */
const BUILDS_REPOSITORY = /(?<!function )\bcreateSqlite\w*(Repository|Writer|Searcher)\(/;
const mayBuild = (file: string) => file === 'repositories.ts' || WORKERS.includes(file);

test('no SQL outside repositories and the store', () => {
  assert.deepEqual(linesMatching(SQL, mayRunSql), []);
});

test('repositories are built once, in repositories.ts, and reach modules through the context', () => {
  assert.deepEqual(linesMatching(BUILDS_REPOSITORY, mayBuild), []);
});

test('the checks see what they look for', () => {
  assert.ok(SQL.test("const s = db.prepare('SELECT 1');") && SQL.test("store.db.exec('PRAGMA x')"));
  assert.ok(!SQL.test('const m = /x/.exec(text);'));
  assert.ok(BUILDS_REPOSITORY.test('const r = createSqliteRulesRepository(ctx.store);'));
  assert.ok(linesMatching(SQL, () => false).length > 20, 'repositories do prepare SQL');
  assert.ok(linesMatching(BUILDS_REPOSITORY, () => false).length >= 10, 'repositories.ts builds them');
});
