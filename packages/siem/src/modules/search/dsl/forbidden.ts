import { SEARCH_FORBIDDEN_KEYS } from '@siemlink/contracts';
import { forbiddenQuery } from './errors.ts';

const FORBIDDEN = new Set<string>(SEARCH_FORBIDDEN_KEYS);

/** Refuses the expansion-tuning keys anywhere in a DSL tree, whatever clause holds them. */
export function assertNoForbiddenKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoForbiddenKeys(v, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN.has(k)) throw forbiddenQuery(`${path}.${k}`, `${k} is not allowed`);
    assertNoForbiddenKeys(v, `${path}.${k}`);
  }
}
