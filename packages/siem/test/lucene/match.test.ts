import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesLucene, parseLucene } from '../../src/lucene/index.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0);
const doc = {
  '@timestamp': '2026-01-15T11:55:00.000Z',
  message: 'Failed password for Alice from 10.0.0.1 port 22 ssh2',
  user: { name: 'Alice', roles: ['admin', 'ops'] },
  'source.ip': '10.0.0.1',
  event: { outcome: 'failure', 'action.name': 'login' },
  process: { command_line: 'C:\\Tools\\Invoke-Mimikatz.ps1 -DumpCreds' },
  http: { status: 404, bytes: 1532.5 },
  ok: false,
  url: '/wp-admin/../../etc/passwd',
  epoch: 1768477800,
};

const cases: [string, boolean][] = [
  ['*', true],
  ['mimikatz', true],
  ['MIMIKATZ', true],
  ['mimi', false],
  ['mimi*', true],
  ['failed', true],
  ['"failed password"', true],
  ['"password failed"', false],
  ['message:alice', true],
  ['message:bob', false],
  ['user.name:alice', true],
  ['user.name:ALICE', true],
  ['user.roles:ops', true],
  ['user.roles:dev', false],
  ['source.ip:10.0.0.1', true],
  ['source.ip:10.0.0.2', false],
  ['source.ip:10.0.0.*', true],
  ['event.outcome:failure AND user.name:alice', true],
  ['event.outcome:success OR user.name:alice', true],
  ['event.outcome:success OR user.name:bob', false],
  ['event.action.name:login', true],
  ['NOT event.outcome:success', true],
  ['-event.outcome:failure', false],
  ['+mimikatz -bob', true],
  ['+mimikatz +bob', false],
  ['http.status:404', true],
  ['http.status:404.0', true],
  ['http.status:[400 TO 499]', true],
  ['http.status:{404 TO 499]', false],
  ['http.status:>=404', true],
  ['http.status:<404', false],
  ['http.bytes:>1500', true],
  ['ok:false', true],
  ['ok:true', false],
  ['_exists_:process.command_line', true],
  ['_exists_:process.pid', false],
  ['user.name:*', true],
  ['nothere:*', false],
  ['url:"/etc/passwd"', true],
  ['url:\\/etc\\/passwd', true],
  ['@timestamp:[now-10m TO now]', true],
  ['@timestamp:[now-1m TO now]', false],
  ['@timestamp:>=2026-01-15', true],
  ['@timestamp:<2026-01-15', false],
  ['epoch:[now-10m TO now]', true],
  ['process.command_line:C\\:\\\\Tools*', true],
  ['user.name:a?ice', true],
  ['user.name:a?ce', false],
  ['user:(alice OR bob)', false],
  ['user.name:(alice OR bob)', true],
];

for (const [q, want] of cases) {
  test(`${JSON.stringify(q)} ${want ? 'matches' : 'does not match'}`, () => {
    assert.equal(matchesLucene(parseLucene(q, { now: NOW }), doc), want);
  });
}

test('a literal dotted key and a nested path both resolve', () => {
  const node = parseLucene('a.b:x');
  assert.equal(matchesLucene(node, { a: { b: 'x' } }), true);
  assert.equal(matchesLucene(node, { 'a.b': 'x' }), true);
  assert.equal(matchesLucene(node, { a: [{ b: 'y' }, { b: 'x' }] }), true);
  assert.equal(matchesLucene(node, { a: { c: 'x' } }), false);
});

test('free text ignores keys', () => {
  assert.equal(matchesLucene(parseLucene('message'), { message: 'hello' }), false);
});
