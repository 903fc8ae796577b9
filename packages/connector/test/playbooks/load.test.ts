import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BUILTIN_PLAYBOOKS_DIR,
  loadPlaybookFile,
  loadPlaybooks,
} from '../../src/playbooks/definition/load.ts';
import { formatLoadError, formatLoadErrors } from '../../src/playbooks/definition/load-error.ts';
import { validatePlaybooks } from '../../src/playbooks/definition/validate.ts';
import type { LoadError } from '../../src/playbooks/types.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** `# expect: CODE step=id` at the end of a line: the error expected on that line. */
async function expectations(file: string) {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const out: string[] = [];
  lines.forEach((l, i) => {
    const m = /# expect: (\w+)(?: step=(\w+))?/.exec(l);
    if (m) out.push(`${i + 1} ${m[1]} ${m[2] ?? '-'}`);
  });
  return out.sort();
}
const actual = (errors: LoadError[]) => errors.map((e) => `${e.line} ${e.code} ${e.step ?? '-'}`).sort();

// One test per fixture: each holds one static-check (or parse/schema) error, some several cases of it.
for (const name of (await readdir(join(FIXTURES, 'errors'))).sort()) {
  test(`load error: ${name}`, async () => {
    const file = join(FIXTURES, 'errors', name);
    const want = await expectations(file);
    assert.ok(want.length > 0, 'the fixture marks its expected errors');
    const { playbooks, errors } = await loadPlaybookFile(file);
    assert.deepEqual(playbooks, [], 'a playbook with errors is not loaded');
    assert.deepEqual(actual(errors), want, formatLoadErrors(errors).join('\n'));
    for (const e of errors) {
      assert.equal(e.file, file);
      assert.ok(e.message.length > 10);
    }
  });
}

test('messages name the path, the rule and what exists', async () => {
  const { errors } = await loadPlaybookFile(join(FIXTURES, 'errors', 'unknown-reference.yaml'));
  const text = formatLoadErrors(errors).join('\n');
  assert.match(
    text,
    /unknown-reference\.yaml:11: \[PLAYBOOK_UNKNOWN_REFERENCE\] step hunt: incident\.sevrity: incident has no field "sevrity" \(it has id, alertEventId/,
  );
  assert.match(text, /inputs\.treshold: no input "treshold" is declared \(inputs: threshold, extra\)/);
  assert.match(
    text,
    /steps\.hunt\.output\.hitz: the output of command step "hunt" has no field "hitz" \(it has query, from, to, total, hits, notes\)/,
  );
  assert.match(text, /"input" is not in the run scope/);
  const cyc = await loadPlaybookFile(join(FIXTURES, 'errors', 'cycle.yaml'));
  assert.match(formatLoadErrors(cyc.errors).join('\n'), /steps form a cycle: a → b → c → a/);
  const nb = await loadPlaybookFile(join(FIXTURES, 'errors', 'step-not-before.yaml'));
  assert.match(
    formatLoadErrors(nb.errors).join('\n'),
    /step "branch" does not always succeed before step "join"/,
  );
});

test('the anchor bug: indicator-hunting passing inputs.InternalRange is refused with file and line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-anchor-'));
  try {
    const text = await readFile(join(BUILTIN_PLAYBOOKS_DIR, 'indicator-hunting.yaml'), 'utf8');
    // The anchor passed ${inputs.InternalRange} where the input is InternalIPRange.
    const buggy = text.replace('$$.inputs.InternalIPRange)]] }', () => '$$.inputs.InternalRange)]] }');
    assert.notEqual(buggy, text);
    const file = join(dir, 'indicator-hunting-copy.yaml');
    await writeFile(file, buggy.replace('version: 1', 'version: 7'));
    const line = buggy.split('\n').findIndex((l) => l.includes('inputs.InternalRange')) + 1;
    const { playbooks, errors } = await loadPlaybooks(dir);
    assert.equal(errors.length, 1, formatLoadErrors(errors).join('\n'));
    assert.equal(
      formatLoadError(errors[0]),
      `${file}:${line}: [PLAYBOOK_UNKNOWN_REFERENCE] step classify: inputs.InternalRange: no input "InternalRange" is declared (inputs: IPs, Hashes, Domains, IPField, HashField, DomainField, FromTime, EventLimit, UserFields, HostFields, IPAddressFields, InternalIPRange, InternalDomain)`,
    );
    assert.deepEqual(
      playbooks.map((p) => `${p.definition.name}@${p.definition.version}`).sort(),
      ['brute-force-response@1', 'handle-logzio-alert@1', 'indicator-hunting@1'],
      'the built-ins still load',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder: valid playbooks load, sub-playbooks resolve to the latest version, built-ins marked', async () => {
  const { playbooks, errors } = await loadPlaybooks(join(FIXTURES, 'valid'));
  assert.deepEqual(errors, []);
  const names = playbooks.map((p) => `${p.definition.name}@${p.definition.version}:${p.builtin}`).sort();
  assert.deepEqual(names, [
    'brute-force-response@1:true',
    'handle-logzio-alert@1:true',
    'indicator-hunting@1:true',
    'parent@1:false',
    'sub@1:false',
    'sub@2:false',
  ]);
  const only = await loadPlaybooks(join(FIXTURES, 'valid'), { builtin: false });
  assert.equal(only.playbooks.length, 3);
});

test('a folder: name and version unique; a playbook whose sub-playbook is refused is refused too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-folder-'));
  try {
    await copyFile(join(FIXTURES, 'valid', 'sub-v2.yaml'), join(dir, 'a.yaml'));
    await copyFile(join(FIXTURES, 'valid', 'sub-v2.yaml'), join(dir, 'b.yaml'));
    await copyFile(join(FIXTURES, 'valid', 'parent.yaml'), join(dir, 'parent.yaml'));
    let r = await loadPlaybooks(dir, { builtin: false });
    assert.deepEqual(
      r.errors.map((e) => `${e.file.slice(dir.length + 1)}:${e.line} ${e.code}`),
      ['b.yaml:2 PLAYBOOK_DUPLICATE_VERSION'],
    );
    assert.match(r.errors[0].message, /already defined in .*a\.yaml/);
    assert.deepEqual(r.playbooks.map((p) => p.file.slice(dir.length + 1)).sort(), ['a.yaml', 'parent.yaml']);
    // The sub-playbook breaks: its caller cannot load either.
    await rm(join(dir, 'b.yaml'));
    await writeFile(
      join(dir, 'a.yaml'),
      (await readFile(join(dir, 'a.yaml'), 'utf8')).replace('inputs.who', 'inputs.whom'),
    );
    r = await loadPlaybooks(dir, { builtin: false });
    assert.deepEqual(r.errors.map((e) => `${e.file.slice(dir.length + 1)} ${e.code} ${e.step}`).sort(), [
      'a.yaml PLAYBOOK_UNKNOWN_REFERENCE say',
      'parent.yaml PLAYBOOK_UNKNOWN_PLAYBOOK greet',
    ]);
    assert.deepEqual(r.playbooks, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file or folder that cannot be read is a load error, not a crash', async () => {
  const r = await loadPlaybooks('/nonexistent/playbooks', { builtin: false });
  assert.deepEqual(
    r.errors.map((e) => e.code),
    ['PLAYBOOK_READ_ERROR'],
  );
  const f = await loadPlaybookFile('/nonexistent/x.yaml');
  assert.deepEqual(
    f.errors.map((e) => [e.code, e.line]),
    [['PLAYBOOK_READ_ERROR', null]],
  );
});

test('playbooks that call each other in a ring are refused (a run would never end)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-ring-'));
  try {
    const call = (name: string, other: string) =>
      `name: ${name}\nversion: 1\nsteps:\n  - id: call\n    kind: playbook\n    playbook: ${other}\n`;
    await writeFile(join(dir, 'ping.yaml'), call('ping', 'pong'));
    await writeFile(join(dir, 'pong.yaml'), call('pong', 'ping'));
    const r = await loadPlaybooks(dir, { builtin: false });
    assert.deepEqual(formatLoadErrors(r.errors), [
      `${join(dir, 'ping.yaml')}:6: [PLAYBOOK_CYCLE] step call: playbook ping calls itself: ping → pong → ping (a run would never end)`,
      `${join(dir, 'pong.yaml')}:6: [PLAYBOOK_CYCLE] step call: playbook pong calls itself: pong → ping → pong (a run would never end)`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('validatePlaybooks: the lines `siemlink playbooks validate` prints; the built-in folder validates cleanly', async () => {
  const bad = await validatePlaybooks(join(FIXTURES, 'errors', 'cycle.yaml'));
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.lines, [
    `${join(FIXTURES, 'errors', 'cycle.yaml')}:10: [PLAYBOOK_CYCLE] step c: steps form a cycle: a → b → c → a (use retry for repeats, foreach for lists)`,
    `${join(FIXTURES, 'errors', 'cycle.yaml')}:20: [PLAYBOOK_CYCLE] step e: steps form a cycle: d → e → d (use retry for repeats, foreach for lists)`,
  ]);
  const good = await validatePlaybooks(BUILTIN_PLAYBOOKS_DIR);
  assert.deepEqual(good.lines, []);
  assert.equal(good.ok, true);
  assert.equal(good.playbooks.length, 3);
  const file = await validatePlaybooks(join(BUILTIN_PLAYBOOKS_DIR, 'handle-logzio-alert.yaml'));
  assert.deepEqual([file.ok, file.playbooks.map((p) => p.definition.name)], [true, ['handle-logzio-alert']]);
});
