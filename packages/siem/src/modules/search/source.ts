import type { SearchSourceFilter } from '@siemlink/contracts';
import { wildcardMatcher, type WildcardMatcher } from '../../lucene/wildcard.ts';

/** `_source` as ES does it: false drops it, includes/excludes are dotted paths with `*` wildcards. */
export interface SourceFilter {
  enabled: boolean;
  includes: WildcardMatcher[];
  excludes: WildcardMatcher[];
  includePatterns: string[];
}

export function parseSourceFilter(v: SearchSourceFilter | undefined): SourceFilter {
  const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  if (v === undefined || v === true)
    return { enabled: true, includes: [], excludes: [], includePatterns: [] };
  if (v === false) return { enabled: false, includes: [], excludes: [], includePatterns: [] };
  const inc = typeof v === 'string' || Array.isArray(v) ? list(v) : list(v.includes);
  const exc = typeof v === 'string' || Array.isArray(v) ? [] : list(v.excludes);
  return { enabled: true, includes: inc.map(pattern), excludes: exc.map(pattern), includePatterns: inc };
}

function pattern(p: string): WildcardMatcher {
  // Case matters in field names, and a backslash is literal there (no escapes in ES paths).
  return wildcardMatcher(p.replace(/\\/g, '\\\\'), { caseSensitive: true });
}

export function applySourceFilter(
  doc: Record<string, unknown>,
  f: SourceFilter,
): Record<string, unknown> | undefined {
  if (!f.enabled) return undefined;
  if (f.includes.length === 0 && f.excludes.length === 0) return doc;
  return walk(doc, '', f, false) ?? {};
}

function walk(
  obj: Record<string, unknown>,
  prefix: string,
  f: SourceFilter,
  included: boolean,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (f.excludes.some((re) => re.test(path))) continue;
    const inc = included || f.includes.length === 0 || f.includes.some((re) => re.test(path));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (!inc && !f.includePatterns.some((p) => p.startsWith(`${path}.`) || p.includes('*'))) continue;
      const sub = walk(v as Record<string, unknown>, path, f, inc);
      if (sub && (inc || Object.keys(sub).length > 0)) {
        out[k] = sub;
        any = true;
      }
    } else if (inc) {
      out[k] = v;
      any = true;
    }
  }
  return any || included ? out : undefined;
}
