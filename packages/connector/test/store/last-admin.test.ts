import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_FACTORIES } from './factories.ts';

const T0 = Date.UTC(2026, 0, 1);

for (const { name, openTwo } of STORE_FACTORIES) {
  test(`${name} store: the last admin cannot be removed or demoted, also when two admins race`, async (t) => {
    const pair = await openTwo(t);
    if (!pair) return;
    const [a, b] = pair;
    for (const [u, role] of [
      ['root', 'admin'],
      ['boss', 'admin'],
      ['ann', 'analyst'],
    ] as const)
      assert.ok(await a.createUser({ username: u, role, passwordHash: 'h' }, T0));
    assert.equal(await a.setRole('ann', 'viewer', T0), 'done', 'a non-admin changes freely');
    assert.equal(await a.setRole('nobody', 'viewer', T0), 'not_found');
    assert.equal(await a.removeUser('nobody'), 'not_found');
    // Two admins removing each other at once, through two connections: one wins, one is refused.
    const results = await Promise.all([a.removeUser('root'), b.removeUser('boss')]);
    assert.deepEqual([...results].sort(), ['done', 'last_admin']);
    const [left] = (await a.listUsers()).filter((u) => u.role === 'admin');
    assert.ok(left, 'one admin remains');
    assert.equal(await b.removeUser(left.username), 'last_admin');
    assert.equal(await b.setRole(left.username, 'analyst', T0), 'last_admin');
    assert.equal(await b.setRole(left.username, 'admin', T0), 'done', 'admin to admin is no demotion');
    assert.equal(await a.setRole('ann', 'admin', T0), 'done');
    assert.equal(await b.setRole(left.username, 'viewer', T0), 'done', 'with another admin it may go');
    assert.equal((await a.getUser(left.username))!.role, 'viewer');
    assert.equal(await a.removeUser('ann'), 'last_admin');
  });
}
