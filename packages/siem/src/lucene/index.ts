// The Lucene module: parse query syntax into our AST, evaluate it on a document, or turn it into
// a SQL prefilter. Pure: no I/O, no clock (pass `now` for date math).
export type { LuceneNode, ParseLuceneOptions, RangeBound } from './ast.ts';
export { parseLucene, rangeBound, simplify, timeBound } from './parse.ts';
export { checkFieldName, checkQueryTree, LUCENE_LIMITS, type LuceneLimit } from './limits.ts';
export { matchesLucene } from './match.ts';
export { exactFts } from './exact.ts';
export { FTS_BODY, FTS_IN, luceneToSql, luceneToSqlParts, type SqlFilter, type SqlParts } from './sql.ts';
export { epochFromNumber, resolveDateMath, parseIsoDate, SECONDS_BELOW } from './time.ts';
