import { SEARCH_FORBIDDEN_KEYS } from '@siemlink/contracts';
import { forbiddenQuery, invalidQuery } from './errors.ts';

const FORBIDDEN = new Set<string>(SEARCH_FORBIDDEN_KEYS);

/** Deeper DSL trees are refused before anything recursive (compiler, predicate) sees them. */
export const MAX_DSL_DEPTH = 64;

/** Refuses the expansion-tuning keys anywhere in a DSL tree, whatever clause holds them. */
export function assertNoForbiddenKeys(value: unknown, path: string, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_DSL_DEPTH) throw invalidQuery(path, `nested more than ${MAX_DSL_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoForbiddenKeys(v, `${path}[${i}]`, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN.has(k)) throw forbiddenQuery(`${path}.${k}`, `${k} is not allowed`);
    assertNoForbiddenKeys(v, `${path}.${k}`, depth + 1);
  }
}
