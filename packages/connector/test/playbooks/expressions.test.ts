import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectorError } from '../../src/errors.ts';
import { createExpressions } from '../../src/playbooks/expressions/expressions.ts';
import { parseTemplateString, templateExpressions } from '../../src/playbooks/expressions/template.ts';
import { createInCidr } from '../../src/playbooks/expressions/in-cidr.ts';

const scope = {
  incident: {
    id: 'logzio:e1',
    name: 'Brute force',
    severity: 3,
    tags: ['a'],
    fields: { sourceIp: '10.0.0.1' },
  },
  inputs: { InternalIPRange: '10.0.0.0/8, 192.168.0.0/16', list: ' 1.2.3.4 ,5.6.7.8,, ' },
  steps: {
    hunt: { output: { total: 2, hits: [{ user: 'al' }, { user: 'bo' }] }, status: 'succeeded', error: null },
  },
  run: { id: 'r1', playbook: 'p', version: 1 },
};

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return (err as ConnectorError).code;
  }
  return 'no error';
};

test('evaluate: paths, JSONata transforms, plain arrays out', async () => {
  const ex = createExpressions();
  assert.equal(await ex.evaluate('incident.severity >= 3', scope), true);
  assert.deepEqual(await ex.evaluate('steps.hunt.output.hits.user', scope), ['al', 'bo']);
  // The indicator-hunting query: split, trim, drop empties, quote, join.
  const q = await ex.evaluate(
    `$join($map($filter($split(inputs.list, ","), function($v){ $trim($v) != "" }), function($v){ 'ip:"' & $trim($v) & '"' }), " OR ")`,
    scope,
  );
  assert.equal(q, 'ip:"1.2.3.4" OR ip:"5.6.7.8"');
  const arr = await ex.evaluate('[1..3]', scope);
  assert.deepEqual(Object.keys(arr as object), ['0', '1', '2'], 'no JSONata sequence markers leak');
  assert.equal(await ex.evaluate('incident.nothing', scope), undefined);
});

test('compile once: the same source is parsed once and cached', () => {
  const ex = createExpressions();
  const a = ex.compile('inputs.x + 1');
  assert.equal(ex.compile('inputs.x + 1'), a);
  assert.notEqual(ex.compile('inputs.x + 2'), a);
});

test('syntax and evaluation errors carry stable codes and name the expression', async () => {
  const ex = createExpressions();
  assert.throws(
    () => ex.compile('inputs.(('),
    (e: ConnectorError) => e.code === 'PLAYBOOK_EXPRESSION_SYNTAX' && e.message.includes('inputs.(('),
  );
  assert.equal(await codeOf(ex.evaluate('$error("boom")', scope)), 'PLAYBOOK_EXPRESSION_ERROR');
  assert.equal(await codeOf(ex.evaluate('"a" + 1', scope)), 'PLAYBOOK_EXPRESSION_ERROR');
});

test('hostile expressions are stopped: infinite recursion, step budget, huge sequences, time, abort', async () => {
  const ex = createExpressions({ limits: { maxSteps: 200_000, maxDepth: 2000 } });
  const forever = '($f := function($n){ 1 + $f($n + 1) }; $f(0))';
  await assert.rejects(ex.evaluate(forever, scope), (e: ConnectorError) => {
    assert.equal(e.code, 'PLAYBOOK_EXPRESSION_BUDGET');
    assert.match(e.message, /nested deeper than 2000/);
    return true;
  });
  // Tail position loop that never nests: only the step budget stops it.
  const loop = '($f := function($n){ $n < 0 ? 0 : $f($n + 1) }; $f(0))';
  const tight = createExpressions({ limits: { maxSteps: 5000, maxDepth: 1_000_000 } });
  await assert.rejects(tight.evaluate(loop, scope), /more than 5000 evaluation steps/);
  const small = createExpressions({ limits: { maxSequence: 1000 } });
  await assert.rejects(small.evaluate('[1..100000].($ * 2)', scope), /sequence longer than 1000/);
  // Time: a fake monotonic clock that moves 1 ms per reading; no wall clock in the test.
  let t = 0;
  const timed = createExpressions({ now: () => t++, limits: { timeMs: 50 } });
  await assert.rejects(timed.evaluate(loop, scope), /ran longer than 50 ms/);
  // An abort stops an evaluation in progress (yields let the abort run).
  const ac = new AbortController();
  const abortable = createExpressions({
    limits: { maxSteps: Number.MAX_SAFE_INTEGER, maxDepth: Number.MAX_SAFE_INTEGER },
  });
  const running = abortable.evaluate(loop, scope, { signal: ac.signal });
  setImmediate(() => ac.abort(new Error('step timeout')));
  await assert.rejects(running, /step timeout/);
  // Per-call limits tighten the defaults.
  await assert.rejects(ex.evaluate('[1..1000].($)', scope, { limits: { maxSteps: 100 } }), /100 evaluation/);
});

test('templates: exact expression keeps its type, interpolation makes a string, literals stay', async () => {
  const ex = createExpressions();
  assert.deepEqual(
    await ex.render(
      {
        total: '${ steps.hunt.output.total }',
        users: '${steps.hunt.output.hits.user}',
        note: 'found ${ steps.hunt.output.total } hit(s) for ${ incident.name }: ${ steps.hunt.output.hits.user }',
        literal: 'plain',
        escaped: 'cost $${ not an expression }',
        nested: [{ sev: '${ incident.severity + 1 }' }, 7, true, null],
        obj: '${ {"a": inputs.InternalIPRange} }',
      },
      scope,
    ),
    {
      total: 2,
      users: ['al', 'bo'],
      note: 'found 2 hit(s) for Brute force: ["al","bo"]',
      literal: 'plain',
      escaped: 'cost ${ not an expression }',
      nested: [{ sev: 4 }, 7, true, null],
      obj: { a: '10.0.0.0/8, 192.168.0.0/16' },
    },
  );
  assert.deepEqual(parseTemplateString('${ "}" & "{" }'), { kind: 'expr', expr: '"}" & "{"' });
  assert.throws(() => parseTemplateString('x ${ inputs.a'), /never closed/);
  assert.deepEqual(
    templateExpressions({ a: ['${ inputs.a }', 'x ${ b } y ${ c }'] }).map((e) => [e.expr, e.path.join('.')]),
    [
      ['inputs.a', 'a.0'],
      ['b', 'a.1'],
      ['c', 'a.1'],
    ],
  );
  await assert.rejects(
    ex.render('${ inputs.a', scope),
    (e: ConnectorError) => e.code === 'PLAYBOOK_EXPRESSION_SYNTAX',
  );
});

test('references: root paths from the AST, relative names left out', () => {
  const ex = createExpressions();
  const refs = (s: string) => ex.compile(s).references.map((r) => r.path.join('.'));
  assert.deepEqual(refs('inputs.InternalIPRange'), ['inputs.InternalIPRange']);
  assert.deepEqual(refs('steps.hunt.output.hits[0].user'), ['steps.hunt.output.hits.user']);
  assert.deepEqual(refs('steps.hunt.output.hits[user = $$.inputs.u].host'), [
    'steps.hunt.output.hits.host',
    'inputs.u',
  ]);
  assert.deepEqual(refs('$.incident.name & $$.run.id'), ['incident.name', 'run.id']);
  assert.deepEqual(refs('{"a": inputs.x, "b": [item.y, index]}'), ['inputs.x', 'item.y', 'index']);
  assert.deepEqual(refs('steps.h.output.hits{user: count}'), ['steps.h.output.hits']);
  assert.deepEqual(refs('$map(steps.a.output.list, function($v){ $v.x & inputs.y })'), [
    'steps.a.output.list',
    'inputs.y',
  ]);
  assert.deepEqual(refs('($x := inputs.a; $x.b)'), ['inputs.a']);
  assert.deepEqual(refs('incident.fields.groupBy.*'), ['incident.fields.groupBy']);
  assert.deepEqual(refs('inputs.a ? steps.b.output : "x"'), ['inputs.a', 'steps.b.output']);
  assert.deepEqual(refs('inputs.a ~> $split(",")'), ['inputs.a']);
  assert.deepEqual(refs('steps.a.output.(x + y)'), ['steps.a.output']);
  assert.deepEqual(refs('steps.a.output.list^(x)'), ['steps.a.output.list']);
  assert.deepEqual(refs('$split(inputs.s, ",")[0].z'), ['inputs.s']);
  assert.deepEqual(refs('-inputs.n'), ['inputs.n']);
});

test('$inCidr: IPv4 and IPv6, comma-separated or array ranges, non-IPs are in no range', async () => {
  const inCidr = createInCidr();
  assert.equal(inCidr('10.1.2.3', '10.0.0.0/8,192.168.0.0/16'), true);
  assert.equal(inCidr('192.168.9.9', ['10.0.0.0/8', ' 192.168.0.0/16 ']), true);
  assert.equal(inCidr('11.1.2.3', '10.0.0.0/8'), false);
  assert.equal(inCidr('10.0.0.0', '10.0.0.0/32'), true);
  assert.equal(inCidr('10.0.0.1', '10.0.0.0/32'), false);
  assert.equal(inCidr('fd12::1', 'fc00::/7'), true);
  assert.equal(inCidr('2001:db8::1', 'fc00::/7,10.0.0.0/8'), false);
  assert.equal(inCidr('fe80::1%eth0', 'fe80::/10'), true);
  assert.equal(inCidr('::ffff:10.9.8.7', '10.0.0.0/8'), true, 'IPv4-mapped IPv6 matches an IPv4 range');
  assert.equal(inCidr('host.example', '10.0.0.0/8'), false);
  assert.equal(inCidr(undefined, '10.0.0.0/8'), false);
  assert.throws(() => inCidr('10.0.0.1', '10.0.0.0/33'), /not an IPv4 or IPv6 CIDR/);
  assert.throws(() => inCidr('10.0.0.1', 'intranet'), /"intranet" is not/);
  const ex = createExpressions();
  assert.deepEqual(
    await ex.evaluate('["10.1.1.1", "8.8.8.8", "192.168.1.1"][$inCidr($, $$.inputs.InternalIPRange)]', scope),
    ['10.1.1.1', '192.168.1.1'],
  );
  assert.equal(await ex.evaluate('$inCidr("2001:db8::5", ["2001:db8::/32"])', scope), true);
});
