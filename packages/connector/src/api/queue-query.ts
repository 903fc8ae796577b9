import type { Principal } from '../auth/schemas.ts';
import { decodeCursor } from '../cases/cursor.ts';
import type { CaseQuery } from '../cases/schemas.ts';
import { apiError } from '../errors.ts';
import { XSOAR_SEVERITY } from '../fetch/mapping.ts';
import type { QueueQuery } from './schemas.ts';

const STATUSES = ['new', 'active', 'closed'] as const;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function parseSeverity(field: string, text: string): number {
  const t = text.trim();
  const byLabel = XSOAR_SEVERITY[t.toUpperCase()];
  if (byLabel !== undefined) return byLabel;
  const n = Number(t);
  if (t !== '' && [0, 0.5, 1, 2, 3, 4].includes(n)) return n;
  throw apiError('VALIDATION_FAILED', `${field} "${text}" is not 0, 0.5, 1, 2, 3, 4 or INFO..SEVERE`, field);
}

export function parseTime(field: string, text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : Date.parse(text);
  // Beyond a Date's range (epoch ms ±8.64e15) a number cannot be a time: 400, not a store error.
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime()))
    throw apiError('VALIDATION_FAILED', `${field} "${text}" is not ISO 8601 or epoch ms`, field);
  return ms;
}

/** The queue's query string as the store's query; a bad value is a 400 naming its parameter. */
export function toCaseQuery(q: QueueQuery, who: Principal): CaseQuery {
  const out: CaseQuery = { sort: q.sort, order: q.order, limit: q.limit };
  if (q.status) {
    const s = list(q.status);
    const bad = s.find((x) => !(STATUSES as readonly string[]).includes(x));
    if (bad !== undefined) {
      throw apiError(
        'VALIDATION_FAILED',
        `query.status "${bad}" is not one of ${STATUSES.join(', ')}`,
        'query.status',
      );
    }
    out.status = s as CaseQuery['status'];
  }
  if (q.severity) out.severities = list(q.severity).map((s) => parseSeverity('query.severity', s));
  if (q.minSeverity) out.minSeverity = parseSeverity('query.minSeverity', q.minSeverity);
  const owners: (string | null)[] = q.owner ? list(q.owner).map((o) => (o === 'me' ? who.name : o)) : [];
  if (q.unassigned) owners.push(null);
  if (owners.length) out.owners = owners;
  if (q.rule) out.names = list(q.rule);
  if (q.tag) out.tags = list(q.tag);
  if (q.q !== undefined && q.q.trim() !== '') out.text = q.q;
  if (q.from) out.occurredFrom = parseTime('query.from', q.from);
  if (q.to) out.occurredTo = parseTime('query.to', q.to);
  if (q.cursor) {
    const c = decodeCursor(q.cursor, q.sort, q.order);
    out.after = { keys: c.keys, id: c.id };
  }
  return out;
}
