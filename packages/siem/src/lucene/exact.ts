import type { LuceneNode } from './ast.ts';
import { FTS_BODY } from './sql.ts';
import { isNumeric, tokenize } from './text.ts';

const ASCII_TOKEN = /^[a-z0-9]+$/;

/**
 * An FTS5 match expression over `logs_fts` that selects EXACTLY the logs `matchesLucene` accepts,
 * provided the log's text is plain ASCII (FTS5's unicode61 folds diacritics and splits on
 * combining marks, our tokenizer does not; callers check non-ASCII logs with the predicate).
 * Null when no such expression is known: the prefilter is then only a superset.
 *
 * Exact: a free-text term or phrase of ONE plain word (FTS indexes every string value, and a
 * string matches when one of its tokens is the word), and AND/OR of exact parts. Not exact:
 * field terms (the FTS body has no fields), multi-word phrases (the body joins all values, so
 * a phrase could straddle two), numbers and booleans (not in the body), wildcards, negations.
 */
export function exactFts(node: LuceneNode): string | null {
  switch (node.kind) {
    case 'term':
    case 'phrase': {
      if (node.field !== null) return null;
      const lower = node.value.toLowerCase();
      if (isNumeric(node.value) || lower === 'true' || lower === 'false') return null;
      const tokens = tokenize(node.value);
      return tokens.length === 1 && ASCII_TOKEN.test(tokens[0]!) ? `${FTS_BODY}"${tokens[0]}"` : null;
    }
    case 'and':
    case 'or': {
      const parts = node.nodes.map(exactFts);
      if (parts.length === 0 || parts.some((p) => p === null)) return null;
      return parts.map((p) => `(${p})`).join(node.kind === 'and' ? ' AND ' : ' OR ');
    }
    default:
      return null;
  }
}
