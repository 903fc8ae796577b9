/**
 * Whether a path of names can exist in a value described by a JSON Schema (TypeBox schemas are
 * JSON Schema). JSONata maps a name over arrays, so arrays are walked through; an object with
 * declared properties is closed unless it says otherwise; `fields`-like open objects and
 * unknowns accept anything below them.
 */
export type PathResult = { ok: true } | { ok: false; depth: number; reason: string };

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema | Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

export function resolvePath(schema: unknown, path: readonly string[], depth = 0): PathResult {
  if (depth >= path.length) return { ok: true };
  const s = (schema ?? {}) as Schema;
  const alternatives = s.anyOf ?? s.oneOf ?? s.allOf;
  if (alternatives) {
    let best: PathResult = { ok: false, depth, reason: 'matches no alternative' };
    for (const alt of alternatives) {
      const r = resolvePath(alt, path, depth);
      if (r.ok) return r;
      if (!best.ok && r.depth >= best.depth) best = r;
    }
    return best;
  }
  const types = (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
  if (types.includes('array')) {
    const items = Array.isArray(s.items) ? { anyOf: s.items } : s.items;
    return resolvePath(items, path, depth);
  }
  const key = path[depth];
  if (s.properties || s.patternProperties || types.includes('object')) {
    const prop = s.properties?.[key];
    if (prop) return resolvePath(prop, path, depth + 1);
    for (const [pattern, sub] of Object.entries(s.patternProperties ?? {}))
      if (new RegExp(pattern).test(key)) return resolvePath(sub, path, depth + 1);
    if (s.additionalProperties === true || (s.additionalProperties === undefined && !s.properties))
      return { ok: true };
    if (typeof s.additionalProperties === 'object')
      return resolvePath(s.additionalProperties, path, depth + 1);
    const known = Object.keys(s.properties ?? {});
    return {
      ok: false,
      depth,
      reason: `has no field "${key}"${known.length ? ` (it has ${known.join(', ')})` : ''}`,
    };
  }
  if (types.length > 0)
    return { ok: false, depth, reason: `is a ${types.join(' or ')}, it has no field "${key}"` };
  return { ok: true };
}
