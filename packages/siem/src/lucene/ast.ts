/**
 * Our own Lucene AST. The parser package's tree never leaves `parse.ts`; everything else
 * (predicate, SQL prefilter, the search DSL compiler, the rules engine) sees only this.
 * Plain data: JSON-serialisable, so tests can compare trees with deepEqual.
 */
export interface RangeBound {
  /** A number, an epoch-ms instant (`time: true`, date math already resolved) or a raw string. */
  value: number | string;
  inclusive: boolean;
  /** The bound is an instant (ISO date, date math, or a number on `@timestamp`), in epoch ms. */
  time?: boolean;
}

export type LuceneNode =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'and'; nodes: LuceneNode[] }
  | { kind: 'or'; nodes: LuceneNode[] }
  | { kind: 'not'; node: LuceneNode }
  /** One analysed term; `field: null` is free text (any string field of the doc). */
  | { kind: 'term'; field: string | null; value: string }
  /** Consecutive tokens ("quoted text"). */
  | { kind: 'phrase'; field: string | null; value: string }
  /** `*` any run, `?` one char; a literal `*`, `?` or `\` is backslash-escaped. */
  | { kind: 'wildcard'; field: string | null; pattern: string }
  | { kind: 'range'; field: string; min?: RangeBound; max?: RangeBound }
  | { kind: 'exists'; field: string };

export interface ParseLuceneOptions {
  /** ES `allow_leading_wildcard`; off by default as in Logz.io (a lone `*` is always allowed). */
  allowLeadingWildcard?: boolean;
  /** How terms with no operator between them combine (ES `default_operator`, default OR). */
  defaultOperator?: 'AND' | 'OR';
  /** Fields searched by a term with no field (`default_field` / `fields`); none or `*` = free text. */
  defaultFields?: string[];
  /** Epoch ms that `now` means in date math (`now-5m`); date math is rejected without it. */
  now?: number;
}

export const matchAll: LuceneNode = { kind: 'all' };
