import { SiemError } from '../errors.ts';
import type { LuceneNode } from './ast.ts';

/**
 * How much work one query may ask for. Every limit is checked before the query touches a log,
 * so a hostile query costs a 400, never the server's time. The values follow Elasticsearch
 * where it has one (1024 clauses was its `max_clause_count`; 20 its object depth limit).
 */
export const LUCENE_LIMITS = {
  /** Characters in one query string; parsing is linear but not cheap (~30 µs a character). */
  maxQueryLength: 8192,
  /** Terms, phrases, wildcards, ranges and `_exists_` tests, after default fields expand. */
  maxClauses: 1024,
  /** Nested parentheses/brackets in the text, and depth of the parsed tree. */
  maxNesting: 20,
  /** Segments of one dotted field name (`a.b.c` has 3). */
  maxFieldSegments: 20,
  /** Characters of one field name. */
  maxFieldLength: 256,
  /** Characters of one wildcard pattern (`M*?z`). */
  maxPatternLength: 256,
  /** Characters of one term or phrase. */
  maxTermLength: 1024,
} as const;

export type LuceneLimit = keyof typeof LUCENE_LIMITS;

/** A 400 `QUERY_LIMIT_EXCEEDED` that names the limit and its value. */
export function limitExceeded(limit: LuceneLimit, what: string, field = 'query'): SiemError {
  return new SiemError({
    code: 'QUERY_LIMIT_EXCEEDED',
    field,
    message: `${field}: ${what}; the limit ${limit} is ${LUCENE_LIMITS[limit]}`,
  });
}

/**
 * Checks the raw text before the parser sees it (the parser recurses on nesting): its length
 * and how deeply parentheses and range brackets nest outside quotes. Linear.
 */
export function checkQueryText(query: string, field = 'query'): void {
  if (query.length > LUCENE_LIMITS.maxQueryLength) {
    throw limitExceeded('maxQueryLength', `the query has ${query.length} characters`, field);
  }
  let depth = 0;
  let deepest = 0;
  let inQuote = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '\\') i++;
    else if (c === '"') inQuote = !inQuote;
    else if (inQuote) continue;
    else if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  if (deepest > LUCENE_LIMITS.maxNesting) {
    throw limitExceeded('maxNesting', `the query nests ${deepest} levels deep`, field);
  }
}

/** A field name within the length and segment limits (also for rule group-by and aggregation fields). */
export function checkFieldName(name: string, field = 'query'): void {
  if (name.length > LUCENE_LIMITS.maxFieldLength) {
    throw limitExceeded(
      'maxFieldLength',
      `field name '${name.slice(0, 40)}…' has ${name.length} characters`,
      field,
    );
  }
  let segments = 1;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) segments++;
  if (segments > LUCENE_LIMITS.maxFieldSegments) {
    throw limitExceeded(
      'maxFieldSegments',
      `field name '${name.slice(0, 40)}…' has ${segments} segments`,
      field,
    );
  }
}

/**
 * Checks the parsed tree: clause count, depth, and each field, term and pattern. The search DSL
 * passes `checkDepth: false`: its JSON nesting has its own limit (MAX_DSL_DEPTH).
 */
export function checkQueryTree(root: LuceneNode, field = 'query', opts: { checkDepth?: boolean } = {}): void {
  const checkDepth = opts.checkDepth ?? true;
  let clauses = 0;
  const visit = (n: LuceneNode, depth: number): void => {
    if (checkDepth && depth > LUCENE_LIMITS.maxNesting) {
      throw limitExceeded(
        'maxNesting',
        `the query nests more than ${LUCENE_LIMITS.maxNesting} levels deep`,
        field,
      );
    }
    switch (n.kind) {
      case 'all':
      case 'none':
        return;
      case 'and':
      case 'or':
        for (const c of n.nodes) visit(c, depth + 1);
        return;
      case 'not':
        visit(n.node, depth + 1);
        return;
    }
    if (++clauses > LUCENE_LIMITS.maxClauses) {
      throw limitExceeded('maxClauses', `the query has more than ${LUCENE_LIMITS.maxClauses} clauses`, field);
    }
    if (n.field !== null) checkFieldName(n.field, field);
    if (n.kind === 'wildcard' && n.pattern.length > LUCENE_LIMITS.maxPatternLength) {
      throw limitExceeded('maxPatternLength', `a wildcard pattern has ${n.pattern.length} characters`, field);
    }
    if ((n.kind === 'term' || n.kind === 'phrase') && n.value.length > LUCENE_LIMITS.maxTermLength) {
      throw limitExceeded('maxTermLength', `a term has ${n.value.length} characters`, field);
    }
  };
  visit(root, 0);
}
