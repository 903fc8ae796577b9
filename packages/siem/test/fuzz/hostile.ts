import { gzipSync } from 'node:zlib';

/** A seeded source of choices; every hostile input below is drawn from it, so a seed reproduces a run. */
export interface Draw {
  (): number;
  int(max: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, good enough to spread inputs; not for anything secret. */
export function createDraw(seed: number): Draw {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const draw = next as Draw;
  draw.int = (max) => Math.floor(next() * max);
  draw.pick = (xs) => xs[Math.floor(next() * xs.length)]!;
  draw.chance = (p) => next() < p;
  return draw;
}

const STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\uDFFF\uD800',
  '𝕏😀👨‍👩‍👧',
  '\u202eevil',
  'Zalgo: Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈̭o̹',
  'ß',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE logs; --',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '*',
  '*?*?*?*?*?*?z',
  'a:(b OR (c AND (d OR e)))',
  'NOT NOT NOT',
  '_exists_:a.b.c.d',
  '[* TO *]',
  '/.*/',
  '\\',
  '\n\r\t',
  'null',
  'true',
  '-1',
  '1e309',
  '0x10',
  'NaN',
  'Infinity',
  '2026-13-45T99:99:99Z',
  '9999999999999999999999',
  'c7e9c290-717e-4dcf-98a9-a75e6d796f51',
] as const;

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -1e-300,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 63),
  1e20,
  1e308,
  Number.MAX_SAFE_INTEGER,
];

function longString(d: Draw): string {
  const unit = d.pick(['a', 'é', '😀', 'a ', '*?', '(', 'x.', '\\"']);
  return unit.repeat(1 + d.int(d.chance(0.2) ? 50_000 : 2_000));
}

function nested(d: Draw, depth: number): unknown {
  let v: unknown = d.pick(['x', 1, null]);
  for (let i = 0; i < depth; i++) v = d.chance(0.5) ? [v] : { a: v };
  return v;
}

/** One hostile JSON value: wrong types, extremes, odd unicode, deep or wide structures, prototype keys. */
export function hostileValue(d: Draw, depth = 0): unknown {
  switch (d.int(depth > 2 ? 5 : 9)) {
    case 0:
      return d.pick(STRINGS);
    case 1:
      return d.pick(NUMBERS);
    case 2:
      return d.pick([null, true, false]);
    case 3:
      return longString(d);
    case 4:
      return d.pick([[], {}, [[]], [{}], { '': '' }]);
    case 5:
      return nested(d, 1 + d.int(d.chance(0.2) ? 600 : 60));
    case 6:
      return Array.from({ length: d.chance(0.2) ? 20_000 : 1 + d.int(20) }, () => d.pick([1, 'a', null, {}]));
    case 7:
      return JSON.parse(
        `{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}, "k": ${JSON.stringify(hostileValue(d, depth + 1))}}`,
      );
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 1 + d.int(4); i++)
        o[d.pick(['a', '', '$where', 'toString', 'query', longString(d).slice(0, 300)])] = hostileValue(
          d,
          depth + 1,
        );
      return o;
    }
  }
}

type Json = unknown;

/** All paths into a JSON template (objects and arrays), for picking one to damage. */
function paths(
  v: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | typeof REMOVE): Json {
  if (path.length === 0) return value === REMOVE ? undefined : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');

/** A valid body damaged in one to three places: a value replaced, removed, or an unknown key added. */
export function mutateJson(d: Draw, template: Json): Json {
  let body = template;
  for (let n = 0; n < 1 + d.int(3); n++) {
    const all = paths(body);
    const path = d.pick(all);
    const op = d.int(4);
    if (op === 0 && path.length > 0) body = setAt(body, path, REMOVE);
    else if (op === 1 && body && typeof body === 'object' && !Array.isArray(body)) {
      body = {
        ...(body as object),
        [d.pick(['unknownKey', '', '__proto__', 'query', 'size'])]: hostileValue(d),
      };
    } else body = setAt(body, path, hostileValue(d));
  }
  return body;
}

export interface RawBody {
  payload: Buffer | undefined;
  contentType: string | undefined;
  contentEncoding?: string;
}

/** The bytes sent: mostly (damaged) JSON, sometimes not JSON at all, under an honest or a lying Content-Type. */
export function encodeBody(d: Draw, json: Json): RawBody {
  const text = json === undefined ? '' : JSON.stringify(json);
  // Mostly honest, so the damage reaches the validators behind the parser; sometimes a lie.
  const contentType = d.chance(0.75)
    ? 'application/json'
    : d.pick([
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/x-ndjson',
        '*/*',
        '',
        undefined,
      ]);
  switch (d.int(8)) {
    case 0:
      return { payload: Buffer.from(text.slice(0, Math.max(0, text.length - 1 - d.int(10)))), contentType };
    case 1:
      return {
        payload: Buffer.from(
          d.pick([
            '',
            'null',
            '[]',
            '"str"',
            '1',
            '{',
            '}{',
            '{"a":1}{"b":2}',
            '\uFEFF{}',
            '['.repeat(100_000),
            '{"a":'.repeat(50_000),
          ]),
        ),
        contentType,
      };
    case 2:
      return { payload: Buffer.from(Array.from({ length: 1 + d.int(512) }, () => d.int(256))), contentType };
    case 3:
      return {
        payload: d.chance(0.5) ? gzipSync(text) : Buffer.from(text),
        contentType,
        contentEncoding: d.pick(['gzip', 'br', 'deflate', 'identity', 'x-junk']),
      };
    default:
      return { payload: Buffer.from(text), contentType };
  }
}

/** Junk around a real path: traversal, doubled slashes, encoded bytes, matrix params, huge segments. */
export function junkPath(d: Draw, path: string): string {
  switch (d.int(10)) {
    case 0:
      return `${path}/..%2f..%2f`;
    case 1:
      return `/${path}//`;
    case 2:
      return `${path};jsessionid=1`;
    case 3:
      return `${path}%00`;
    case 4:
      return `${path}/${'a'.repeat(d.chance(0.5) ? 8_000 : 300)}`;
    case 5:
      return `${path}/%F0%9F%98%80/%E0%A4%A/%uD800`;
    case 6:
      return path.toUpperCase();
    case 7:
      return `${path}/../../../../admin/faults`;
    default:
      return `${path}?${junkQuery(d)}`;
  }
}

export function junkQuery(d: Draw): string {
  const parts = [];
  for (let i = 0; i < 1 + d.int(4); i++) {
    const k = d.pick([
      'from',
      'size',
      'dayOffset',
      'limit',
      'offset',
      'to',
      'type',
      'token[]',
      'x-api-token',
      'a[b][c]',
      '__proto__[x]',
      '%ZZ',
      '',
    ]);
    const v = d.pick([
      '-1',
      '1e20',
      'abc',
      '',
      '%00',
      '0x1',
      '99999999999999999999',
      '[]',
      encodeURIComponent(longString(d).slice(0, 500)),
    ]);
    parts.push(`${k}=${v}`);
  }
  return parts.join('&');
}

export const ODD_METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'PROPFIND',
  'MKCOL',
] as const;
