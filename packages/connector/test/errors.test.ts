import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiError,
  CONNECTOR_ERRORS,
  ConnectorError,
  HttpError,
  isConnectorErrorCode,
  type ErrorSpec,
} from '../src/errors.ts';
import { catalogueSection, catalogueTable } from './errors-doc.ts';

const SRC = join(import.meta.dirname, '../src');
const DOC = join(import.meta.dirname, '../../../docs/connector-errors.md');
const entries = () => Object.entries(CONNECTOR_ERRORS as Record<string, ErrorSpec>);

/**
 * String literals that stand for an error code in the source: `code: 'X'`, `code = 'X'`,
 * `code === 'X'`, the code argument of the error helpers, and the playbook load codes.
 */
function codesInSource(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?<!typeof )\b(?:code|errorCode)\s*(?::|=|===|!==)\s*'([A-Za-z0-9_-]+)'/g,
    /\b(?:apiError|playbookStepError)\(\s*'([A-Za-z0-9_-]+)'/g,
    /\b(?:configError|invalid)\((?:[^()]|\([^()]*\))*?'([A-Z][A-Z0-9_]+)'\s*,?\s*\)/g,
    /'(PLAYBOOK_[A-Z0-9_]+)'/g,
  ];
  for (const p of patterns) for (const m of text.matchAll(p)) found.push(m[1]!);
  return found;
}

test('every error code the connector’s source names is in the catalogue', () => {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const code of codesInSource(readFileSync(join(SRC, file), 'utf8'))) seen.set(code, file);
  }
  // Codes of other libraries the source compares against (undici, JSONata, Node, Fastify).
  const foreign = (code: string) =>
    code.startsWith('UND_ERR_') || code.startsWith('FST_') || ['D1011', 'D2015', 'EPERM'].includes(code);
  const unknown = [...seen].filter(([code]) => !foreign(code) && !isConnectorErrorCode(code));
  assert.deepEqual(unknown, []);
  assert.ok(seen.size >= 50, `the scan found the codes in use (${seen.size})`);
});

test('the scan would catch a code outside the catalogue', () => {
  const text = [
    "throw new ConnectorError({ code: 'MADE_UP', kind: 'config', message: 'x' });",
    "throw apiError('ALSO_MADE_UP', `no ${'x'}`, 'params.id');",
    "throw configError('--from', `is ${'late'}`, 'THIRD_ONE');",
    "throw playbookStepError('PLAYBOOK_FOURTH', 'x');",
    "if (err.code === 'FIFTH') return;",
  ].join('\n');
  assert.deepEqual(codesInSource(text).sort(), [
    'ALSO_MADE_UP',
    'FIFTH',
    'MADE_UP',
    'PLAYBOOK_FOURTH',
    'PLAYBOOK_FOURTH',
    'THIRD_ONE',
  ]);
  assert.equal(isConnectorErrorCode('MADE_UP'), false);
  assert.equal(isConnectorErrorCode('toString'), false);
});

test('each code has a status, a kind that fits it, and a message; errors take them from the catalogue', () => {
  // Losing the feed position is a gap to record and go on from, not the operator's to fix.
  const gaps = new Set(['OFFSET_EXPIRED', 'OFFSET_REJECTED']);
  for (const [code, e] of entries()) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/, code);
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.ok(e.message.length > 0, code);
    if (e.status === 429) assert.equal(e.kind, 'transient', code);
    if (e.status < 500 && e.status !== 429 && !gaps.has(code)) assert.equal(e.kind, 'config', code);
    const err = new ConnectorError({ code: code as keyof typeof CONNECTOR_ERRORS, message: 'm' });
    assert.equal(err.kind, e.kind, code);
    // Only the connector's API answers carry a status of their own; a local error has none.
    assert.equal(err.status, e.origin === 'api' ? e.status : undefined, code);
    const answer = apiError(code as keyof typeof CONNECTOR_ERRORS, 'm');
    assert.equal(answer.status, e.status, code);
  }
});

test('a received status keeps its value and maps to a code whose statuses list it', () => {
  for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504]) {
    const err = new HttpError({ status, message: 'm' });
    assert.equal(err.status, status);
    const spec: ErrorSpec = CONNECTOR_ERRORS[err.code];
    assert.ok([spec.status, ...(spec.alsoStatus ?? [])].includes(status), `${status} -> ${err.code}`);
    if (status === spec.status) assert.equal(err.kind, spec.kind, err.code);
  }
});

test('docs/connector-errors.md lists exactly the catalogue', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(
    catalogueSection(doc),
    catalogueTable(),
    'regenerate the table in docs/connector-errors.md from catalogueTable()',
  );
});
