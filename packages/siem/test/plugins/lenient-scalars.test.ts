import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { schemaTypes, settleLooseScalars } from '../../src/plugins/lenient-scalars.ts';

const Schema = Type.Object({
  n: Type.Optional(Type.Number()),
  i: Type.Optional(Type.Integer()),
  b: Type.Optional(Type.Boolean()),
  s: Type.Optional(Type.String()),
  e: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B')])),
  any: Type.Optional(Type.Unknown()),
  nested: Type.Optional(Type.Object({ n: Type.Optional(Type.Number()) })),
  list: Type.Optional(Type.Array(Type.Object({ i: Type.Optional(Type.Integer()) }))),
  nums: Type.Optional(Type.Array(Type.Number())),
  map: Type.Optional(Type.Record(Type.String(), Type.Number())),
});

test('schemaTypes: declared types, unions of literals, anything', () => {
  assert.deepEqual(schemaTypes(Schema.properties.n), new Set(['number']));
  assert.deepEqual(schemaTypes(Schema.properties.e), new Set(['string']));
  assert.equal(schemaTypes(Schema.properties.any), undefined);
  assert.deepEqual(schemaTypes(Type.Union([Type.Number(), Type.Null()])), new Set(['number', 'null']));
});

test('empty strings where a number, integer or boolean is wanted are removed, at any depth; strings keep ""', () => {
  const body = {
    n: '',
    i: '',
    b: '',
    s: '',
    e: '',
    any: '',
    nested: { n: '' },
    list: [{ i: '' }],
    map: { k: '' },
  };
  settleLooseScalars(body, Schema, 'body');
  assert.deepEqual(body, { s: '', e: '', any: '', nested: {}, list: [{}], map: {} });
});

test('a boolean where a number, integer or string is wanted is a 400 naming the field', () => {
  const cases: [unknown, string][] = [
    [{ n: true }, 'body.n'],
    [{ i: false }, 'body.i'],
    [{ s: true }, 'body.s'],
    [{ e: true }, 'body.e'],
    [{ nested: { n: true } }, 'body.nested.n'],
    [{ list: [{ i: true }] }, 'body.list.0.i'],
    [{ nums: [1, true] }, 'body.nums.1'],
    [{ map: { k: true } }, 'body.map.k'],
  ];
  for (const [body, field] of cases) {
    assert.throws(
      () => settleLooseScalars(body, Schema, 'body'),
      (err: { status?: number; code?: string; field?: string }) =>
        err.status === 400 && err.code === 'VALIDATION_FAILED' && err.field === field,
      JSON.stringify(body),
    );
  }
  const ok = { b: true, any: false, n: '5', s: 7 };
  settleLooseScalars(ok, Schema, 'body');
  assert.deepEqual(ok, { b: true, any: false, n: '5', s: 7 });
});
