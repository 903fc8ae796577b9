import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSiemErrorCode, SIEM_ERRORS, SiemError, type ErrorSpec } from '../src/errors.ts';
import { catalogueSection, catalogueTable } from './errors-doc.ts';

const SRC = join(import.meta.dirname, '../src');
const DOC = join(import.meta.dirname, '../../../docs/errors.md');

/**
 * String literals that stand for an error code in the source: `code: 'X'`, `errorCode: 'X'`,
 * `code = 'X'`, `code === 'X'`, and the code argument of the error helpers.
 */
function codesInSource(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?<!typeof )\b(?:code|errorCode)\s*(?::|=|===|!==)\s*'([A-Za-z0-9_-]+)'/g,
    /\b(?:badRequest|unauthorized|forbidden|notFound|invalidQuery|sendError)\((?:[^()]|\([^()]*\))*?'([A-Z][A-Z0-9_]+)'\s*\)/g,
    /\bsendError\(\s*reply,\s*'([A-Za-z0-9_-]+)'/g,
  ];
  for (const p of patterns) for (const m of text.matchAll(p)) found.push(m[1]!);
  return found;
}

test('every error code the SIEM’s source names is in the catalogue', () => {
  // demo/ writes synthetic logs, whose fields (`errorCode: 'AccessDenied'`) are data, not errors.
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.ts') && !f.startsWith('demo/'),
  );
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const code of codesInSource(readFileSync(join(SRC, file), 'utf8'))) seen.set(code, file);
  }
  // Codes of other libraries the source compares against (Fastify, SQLite, zlib, Node's fs).
  const foreign = (code: string) =>
    code.startsWith('FST_') || ['ERR_SQLITE_ERROR', 'ERR_ZLIB_INITIALIZATION_FAILED', 'EPERM'].includes(code);
  const unknown = [...seen].filter(([code]) => !foreign(code) && !isSiemErrorCode(code));
  assert.deepEqual(unknown, []);
  assert.ok(seen.size >= 25, `the scan found the codes in use (${seen.size})`);
});

test('the scan would catch a code outside the catalogue', () => {
  const text = [
    "throw new SiemError({ code: 'MADE_UP', message: 'x' });",
    "throw badRequest('body.x', `must be ${'a'}`, 'ALSO_MADE_UP');",
    "return sendError(reply, 'THIRD_ONE', 'x');",
  ].join('\n');
  assert.deepEqual(codesInSource(text).sort(), ['ALSO_MADE_UP', 'MADE_UP', 'THIRD_ONE']);
  assert.equal(isSiemErrorCode('MADE_UP'), false);
  assert.equal(isSiemErrorCode('toString'), false);
});

test('each code has a status, a kind that fits it, and a message; errors take them from the catalogue', () => {
  for (const [code, e] of Object.entries(SIEM_ERRORS as Record<string, ErrorSpec>)) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/, code);
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.ok(e.message.length > 0, code);
    if (e.status === 429) assert.equal(e.kind, 'transient', code);
    if (e.status < 500 && e.status !== 429) assert.equal(e.kind, 'config', code);
    const err = new SiemError({ code: code as keyof typeof SIEM_ERRORS, message: 'm' });
    assert.equal(err.status, e.status, code);
    assert.equal(err.kind, e.kind, code);
  }
});

test('docs/errors.md lists exactly the catalogue', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(
    catalogueSection(doc),
    catalogueTable(),
    'regenerate the table in docs/errors.md from catalogueTable()',
  );
});
