import type { CaseQuery } from '../cases/schemas.ts';

/** One (status, severity) count, as both stores read them. */
export interface FacetRow {
  status: 'new' | 'active' | 'closed';
  severity: number;
  n: number | string;
}

type Filters = Omit<CaseQuery, 'sort' | 'order' | 'limit' | 'after'>;

/**
 * The key under which a filter's counts may be cached, or null when they may not: owner and tags
 * change without the counts' generation moving, while text, rule and time select on columns an
 * incident keeps for life. Status and severity are left out: the counts are over every facet.
 */
export function countsCacheKey(q: Filters): string | null {
  if (q.owners?.length || q.tags?.length) return null;
  return JSON.stringify([q.text ?? null, q.names ?? null, q.occurredFrom ?? null, q.occurredTo ?? null]);
}

/**
 * Counts by status and severity of the queue's filters, kept while the store's counts generation
 * (bumped by every insert, delete, status or severity change, in any process) is the same.
 * Least recently used entries go first.
 */
export function createCountsCache(max = 200) {
  const entries = new Map<string, { generation: string; rows: FacetRow[] }>();
  return {
    get(key: string, generation: string): FacetRow[] | undefined {
      const e = entries.get(key);
      if (!e || e.generation !== generation) return undefined;
      entries.delete(key);
      entries.set(key, e);
      return e.rows;
    },
    set(key: string, generation: string, rows: FacetRow[]): void {
      entries.delete(key);
      entries.set(key, { generation, rows });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
  };
}
