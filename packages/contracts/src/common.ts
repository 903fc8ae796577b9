import { Type, type Static } from '@sinclair/typebox';

/** Severity of a security rule tier and of the events it triggers, lowest first. */
export const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const;
export const Severity = Type.Union(
  SEVERITIES.map((s) => Type.Literal(s)),
  { description: 'INFO | LOW | MEDIUM | HIGH | SEVERE' },
);
export type Severity = Static<typeof Severity>;

/** Rank used to compare severities (INFO=0 .. SEVERE=4). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** `{pageNumber, pageSize}` as echoed back by every paged Logz.io endpoint. */
export const Pagination = Type.Object({
  pageNumber: Type.Integer({ minimum: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 1000 }),
});
export type Pagination = Static<typeof Pagination>;

/**
 * Paging as clients send it: both keys optional. Real clients send numbers as strings
 * ("50"); the SIEM's validator coerces them, and nulls are stripped before validation.
 */
export const PaginationRequest = Type.Object({
  pageNumber: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 25 })),
});
export type PaginationRequest = Static<typeof PaginationRequest>;
