import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSetup, PASSWORD } from './setup.ts';

test('every route under /api answers 401 without credentials, with a malformed, unknown or revoked key (login excepted)', async (t) => {
  const s = await apiSetup(t);
  const spec = (await s.app.inject({ url: '/api/openapi.json', headers: s.as('viewer') })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')] as const),
  );
  routes.push(['GET', '/api/openapi.json']);
  assert.equal(
    (await s.app.inject({ url: '/api/no-such-route' })).statusCode,
    404,
    'an unknown route is a 404, even unauthenticated',
  );
  assert.ok(routes.length >= 17, `${routes.length} routes`);
  const created = (
    await s.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: s.as('admin'),
      payload: { name: 'old', role: 'admin' },
    })
  ).json() as { key: string; apiKey: { id: string } };
  await s.app.inject({ method: 'DELETE', url: `/api/api-keys/${created.apiKey.id}`, headers: s.as('admin') });
  for (const [method, url] of routes) {
    const public_ = url === '/api/auth/login';
    for (const headers of [
      {},
      { authorization: 'Bearer slk_unknown' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: `Bearer ${created.key}` },
      { cookie: 'siemlink_session=forged' },
    ]) {
      const r = await s.app.inject({
        method,
        url,
        headers,
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      if (public_) {
        assert.notEqual(r.statusCode, 200, `${method} ${url}`);
        continue;
      }
      assert.equal(r.statusCode, 401, `${method} ${url} ${JSON.stringify(headers)}`);
      assert.equal(r.json().errorCode, 'UNAUTHENTICATED');
    }
  }
});

test('roles: a viewer cannot write (403), an analyst cannot manage users or keys (403), the admin can', async (t) => {
  const s = await apiSetup(t);
  const id = encodeURIComponent(s.ids[0]!);
  const writes = [
    ['PATCH', `/api/incidents/${id}`, { owner: 'al' }],
    ['POST', '/api/incidents/bulk', { ids: [s.ids[0]], patch: { owner: 'al' } }],
    ['POST', `/api/incidents/${id}/notes`, { body: 'x' }],
    ['PATCH', `/api/incidents/${id}/notes/1`, { body: 'x' }],
    ['POST', `/api/incidents/${id}/logs/refetch`, undefined],
  ] as const;
  const admin = [
    ['GET', '/api/users', undefined],
    ['POST', '/api/users', { username: 'zed', role: 'viewer', password: PASSWORD }],
    ['DELETE', '/api/users/vi', undefined],
    ['POST', '/api/users/vi/password', { password: PASSWORD }],
    ['PATCH', '/api/users/vi', { role: 'admin' }],
    ['GET', '/api/api-keys', undefined],
    ['POST', '/api/api-keys', { name: 'k', role: 'viewer' }],
    ['DELETE', '/api/api-keys/abc', undefined],
  ] as const;
  for (const [method, url, payload] of [...writes, ...admin]) {
    const r = await s.app.inject({ method, url, payload, headers: s.as('viewer') });
    assert.equal(r.statusCode, 403, `viewer ${method} ${url}`);
    assert.equal(r.json().errorCode, 'FORBIDDEN');
  }
  for (const [method, url, payload] of admin) {
    const r = await s.app.inject({ method, url, payload, headers: s.as('analyst') });
    assert.equal(r.statusCode, 403, `analyst ${method} ${url}`);
  }
  for (const url of ['/api/incidents', `/api/incidents/${id}`, '/api/health', '/api/auth/session']) {
    assert.equal((await s.app.inject({ url, headers: s.as('viewer') })).statusCode, 200, url);
  }
  assert.equal((await s.app.inject({ url: '/api/users', headers: s.as('admin') })).statusCode, 200);
  // Every write is on the timeline with who made it.
  await s.app.inject({
    method: 'PATCH',
    url: `/api/incidents/${id}`,
    payload: { owner: 'al' },
    headers: s.as('analyst'),
  });
  const tl = (await s.app.inject({ url: `/api/incidents/${id}/timeline`, headers: s.as('viewer') })).json();
  assert.deepEqual(tl.at(-1).actor, { kind: 'api_key', name: 'analyst-key' });
});

test('login: HttpOnly SameSite=Strict cookie; session writes need the CSRF token; logout ends the session', async (t) => {
  const s = await apiSetup(t);
  const r = await s.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'al', password: PASSWORD },
  });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json().user, { name: 'al', role: 'analyst', kind: 'user' });
  const c = r.cookies.find((x) => x.name === 'siemlink_session')!;
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(c.path, '/');
  const cookie = `siemlink_session=${c.value}`;
  const csrf = r.json().csrfToken as string;
  const me = (await s.app.inject({ url: '/api/auth/session', headers: { cookie } })).json();
  assert.deepEqual(me, { user: { name: 'al', role: 'analyst', kind: 'user' }, csrfToken: csrf });
  const url = `/api/incidents/${encodeURIComponent(s.ids[0]!)}`;
  for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'wrong' }]) {
    const w = await s.app.inject({ method: 'PATCH', url, payload: { owner: 'al' }, headers });
    assert.equal(w.statusCode, 403);
    assert.equal(w.json().errorCode, 'CSRF_TOKEN_INVALID');
  }
  const ok = await s.app.inject({
    method: 'PATCH',
    url,
    payload: { owner: 'al' },
    headers: { cookie, 'x-csrf-token': csrf },
  });
  assert.equal(ok.statusCode, 200);
  const detail = (await s.app.inject({ url, headers: { cookie } })).json();
  assert.deepEqual(detail.timeline.at(-1).actor, { kind: 'user', name: 'al' });
  assert.equal(
    (await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })).statusCode,
    403,
  );
  const out = await s.app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: { cookie, 'x-csrf-token': csrf },
  });
  assert.equal(out.statusCode, 204);
  assert.equal((await s.app.inject({ url: '/api/incidents', headers: { cookie } })).statusCode, 401);
  // A session ends after its lifetime.
  const again = await s.login('viewer');
  s.h.clock.advance(12 * 3600_000);
  assert.equal(
    (await s.app.inject({ url: '/api/incidents', headers: { cookie: again.cookie } })).statusCode,
    401,
  );
});

test('login failures: the same answer for an unknown user and a wrong password; rate limited; bad input 400', async (t) => {
  const s = await apiSetup(t);
  const login = (username: string, password: string) =>
    s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const unknown = await login('nobody', PASSWORD);
  const wrong = await login('vi', 'not the password');
  assert.equal(unknown.statusCode, 401);
  assert.deepEqual(unknown.json(), wrong.json());
  assert.equal(unknown.cookies.length, 0);
  await login('vi', 'again wrong');
  await login('vi', 'third time');
  const locked = await login('vi', PASSWORD);
  assert.equal(locked.statusCode, 429, 'locked even with the right password');
  assert.equal(locked.json().errorCode, 'LOGIN_RATE_LIMITED');
  assert.ok(Number(locked.headers['retry-after']) > 0);
  s.h.clock.advance(60_000);
  assert.equal((await login('vi', PASSWORD)).statusCode, 200, 'the window passed');
  for (const [payload, field] of [
    [{ username: 'vi' }, 'body.password'],
    [{ username: '', password: 'x' }, 'body.username'],
    [{ username: 'vi', password: 'x', extra: 1 }, 'body.extra'],
  ] as const) {
    const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(r.json().field, field);
  }
});

test('users and API keys: admin adds, lists, resets, removes; bad input 400; conflicts 409; unknown 404', async (t) => {
  const s = await apiSetup(t);
  const admin = s.as('admin');
  const add = await s.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin,
    payload: { username: 'zed', role: 'analyst', password: PASSWORD },
  });
  assert.equal(add.statusCode, 201);
  assert.equal(add.json().role, 'analyst');
  assert.equal(add.json().passwordHash, undefined);
  const dup = await s.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin,
    payload: { username: 'zed', role: 'viewer', password: PASSWORD },
  });
  assert.equal(dup.statusCode, 409);
  for (const [payload, field] of [
    [{ username: 'x y', role: 'viewer', password: PASSWORD }, 'body.username'],
    [{ username: 'y', role: 'root', password: PASSWORD }, 'body.role'],
    [{ username: 'y', role: 'viewer', password: 'short' }, 'body.password'],
  ] as const) {
    const r = await s.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(r.json().field, field);
  }
  const list = (await s.app.inject({ url: '/api/users', headers: admin })).json() as { username: string }[];
  assert.deepEqual(
    list.map((u) => u.username),
    ['al', 'ann', 'vi', 'zed'],
  );
  const zed = await (async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'zed', password: PASSWORD },
    });
    return `siemlink_session=${r.cookies[0]!.value}`;
  })();
  const reset = await s.app.inject({
    method: 'POST',
    url: '/api/users/zed/password',
    headers: admin,
    payload: { password: 'a new long password' },
  });
  assert.equal(reset.statusCode, 204);
  assert.equal(
    (await s.app.inject({ url: '/api/incidents', headers: { cookie: zed } })).statusCode,
    401,
    'reset ends sessions',
  );
  assert.equal(
    (
      await s.app.inject({
        method: 'POST',
        url: '/api/users/nobody/password',
        headers: admin,
        payload: { password: PASSWORD },
      })
    ).statusCode,
    404,
  );
  assert.equal(
    (
      await s.app.inject({
        method: 'POST',
        url: '/api/users/zed/password',
        headers: admin,
        payload: { password: 'x' },
      })
    ).json().field,
    'body.password',
  );
  assert.equal(
    (await s.app.inject({ method: 'DELETE', url: '/api/users/zed', headers: admin })).statusCode,
    204,
  );
  assert.equal(
    (await s.app.inject({ method: 'DELETE', url: '/api/users/zed', headers: admin })).statusCode,
    404,
  );
  const self = await s.login('admin');
  const me = await s.app.inject({
    method: 'DELETE',
    url: '/api/users/ann',
    headers: { cookie: self.cookie, 'x-csrf-token': self.csrf },
  });
  assert.equal(me.statusCode, 400);
  assert.equal(me.json().errorCode, 'CANNOT_REMOVE_SELF');
  // ann is the only admin: an API key (not ann) can neither remove nor demote her.
  const removeLast = await s.app.inject({ method: 'DELETE', url: '/api/users/ann', headers: admin });
  assert.equal(removeLast.statusCode, 409);
  assert.equal(removeLast.json().errorCode, 'LAST_ADMIN');
  assert.equal(removeLast.json().field, 'username');
  const role = (username: string, payload: Record<string, string>) =>
    s.app.inject({ method: 'PATCH', url: `/api/users/${username}`, headers: admin, payload });
  const demoteLast = await role('ann', { role: 'analyst' });
  assert.equal(demoteLast.statusCode, 409);
  assert.equal(demoteLast.json().errorCode, 'LAST_ADMIN');
  assert.equal((await role('ann', { role: 'admin' })).statusCode, 200, 'admin to admin is no demotion');
  const promoted = await role('al', { role: 'admin' });
  assert.equal(promoted.statusCode, 200);
  assert.equal(promoted.json().role, 'admin');
  assert.equal((await role('ann', { role: 'viewer' })).json().role, 'viewer', 'with another admin');
  assert.equal((await role('nobody', { role: 'viewer' })).statusCode, 404);
  const badRole = await role('al', { role: 'root' });
  assert.equal(badRole.statusCode, 400);
  assert.equal(badRole.json().field, 'body.role');

  const key = await s.app.inject({
    method: 'POST',
    url: '/api/api-keys',
    headers: admin,
    payload: { name: 'soar', role: 'analyst' },
  });
  assert.equal(key.statusCode, 201);
  const { key: secret, apiKey } = key.json() as { key: string; apiKey: { id: string; role: string } };
  assert.match(secret, /^slk_[0-9a-f]{12}_/);
  assert.equal(
    (await s.app.inject({ url: '/api/incidents', headers: { authorization: `Bearer ${secret}` } }))
      .statusCode,
    200,
  );
  const keys = (await s.app.inject({ url: '/api/api-keys', headers: admin })).json() as {
    id: string;
    lastUsedAt: string | null;
  }[];
  assert.ok(keys.find((k) => k.id === apiKey.id)!.lastUsedAt);
  assert.ok(!JSON.stringify(keys).includes(secret.slice(17)), 'the secret is never listed');
  for (const [payload, field] of [
    [{ name: '', role: 'viewer' }, 'body.name'],
    [{ name: 'x', role: 'owner' }, 'body.role'],
    [{ name: 'x' }, 'body.role'],
  ] as const) {
    const r = await s.app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(r.json().field, field);
  }
  assert.equal(
    (await s.app.inject({ method: 'DELETE', url: `/api/api-keys/${apiKey.id}`, headers: admin })).statusCode,
    204,
  );
  assert.equal(
    (await s.app.inject({ method: 'DELETE', url: `/api/api-keys/${apiKey.id}`, headers: admin })).statusCode,
    404,
  );
  assert.equal(
    (await s.app.inject({ url: '/api/incidents', headers: { authorization: `Bearer ${secret}` } }))
      .statusCode,
    401,
  );
});

test('/api/openapi.json is generated from the schemas and lists every route', async (t) => {
  const s = await apiSetup(t);
  const spec = (await s.app.inject({ url: '/api/openapi.json', headers: s.as('viewer') })).json();
  assert.equal(spec.openapi, '3.1.0');
  for (const p of [
    '/api/incidents',
    '/api/incidents/{id}',
    '/api/incidents/bulk',
    '/api/incidents/{id}/notes',
    '/api/incidents/{id}/notes/{noteId}',
    '/api/incidents/{id}/timeline',
    '/api/incidents/{id}/logs',
    '/api/incidents/{id}/logs/refetch',
    '/api/auth/login',
    '/api/auth/logout',
    '/api/auth/session',
    '/api/users',
    '/api/users/{username}',
    '/api/users/{username}/password',
    '/api/api-keys',
    '/api/api-keys/{id}',
    '/api/health',
  ]) {
    assert.ok(spec.paths[p], p);
  }
  assert.ok(spec.paths['/api/incidents'].get.parameters.some((p: { name: string }) => p.name === 'q'));
});
