import { groupByEntries, groupKey, searchText } from '../cases/text.ts';
import type {
  EncodedIncident,
  FetchRun,
  Gap,
  Incident,
  IncidentStatus,
  IncidentSummary,
  NewIncident,
} from './types.ts';

/**
 * Table rows as both stores read them, and their mapping to the API shapes. Integer columns may
 * arrive as numbers (SQLite) or strings (PostgreSQL BIGINT); booleans as 0/1 or true/false.
 */
type Int = number | string;

export interface IncidentRow {
  id: string;
  alert_event_id: string;
  name: string;
  occurred: string;
  severity: number;
  status: IncidentStatus;
  owner: string | null;
  fields: string;
  raw: string;
  created_at: Int;
  updated_at: Int;
  // Case management (cases-*.ts); NULL/absent only on rows read before their backfill.
  original_severity?: number | null;
  tags?: string | null;
  close_reason?: string | null;
  close_notes?: string | null;
  acknowledged_at?: Int | null;
  closed_at?: Int | null;
}
export interface RunRow {
  id: Int;
  source: string;
  started_at: Int;
  ended_at: Int;
  count: number;
  cursor_before: string | null;
  cursor_after: string | null;
  error: string | null;
  lag_ms: Int | null;
  full: boolean | number;
}
export interface GapRow {
  id: Int;
  source: string;
  from_ms: Int;
  to_ms: Int;
  reason: string;
  recorded_at: Int;
  backfilled_at: Int | null;
}

const iso = (ms: Int) => new Date(Number(ms)).toISOString();

export function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    alertEventId: r.alert_event_id,
    name: r.name,
    occurred: r.occurred,
    severity: r.severity,
    status: r.status,
    owner: r.owner,
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    raw: JSON.parse(r.raw) as Record<string, unknown>,
    ...caseFields(r),
  };
}

/** A queue row: the summary columns (no `raw`), `fields` read for description and groupBy only. */
export type SummaryRow = Omit<IncidentRow, 'raw'>;

export function toSummary(r: SummaryRow): IncidentSummary {
  const fields = JSON.parse(r.fields) as Record<string, unknown>;
  return {
    id: r.id,
    alertEventId: r.alert_event_id,
    name: r.name,
    occurred: r.occurred,
    severity: r.severity,
    status: r.status,
    owner: r.owner,
    description: typeof fields.description === 'string' ? fields.description : null,
    groupBy: Object.fromEntries(groupByEntries(fields)),
    ...caseFields(r),
  };
}

const secondsBetween = (from: Int, to: Int | null | undefined) =>
  to === null || to === undefined ? null : (Number(to) - Number(from)) / 1000;

/** The case-management part of an incident row. */
function caseFields(r: SummaryRow) {
  return {
    originalSeverity: r.original_severity ?? r.severity,
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
    closeReason: (r.close_reason ?? null) as Incident['closeReason'],
    closeNotes: r.close_notes ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    acknowledgedAt: r.acknowledged_at == null ? null : iso(r.acknowledged_at),
    closedAt: r.closed_at == null ? null : iso(r.closed_at),
    timeToAcknowledgeSeconds: secondsBetween(r.created_at, r.acknowledged_at),
    timeToCloseSeconds: secondsBetween(r.created_at, r.closed_at),
  };
}

export function toRun(r: RunRow): FetchRun {
  return {
    id: Number(r.id),
    source: r.source,
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    count: r.count,
    cursorBefore: r.cursor_before,
    cursorAfter: r.cursor_after,
    error: r.error,
    lagMs: r.lag_ms === null ? null : Number(r.lag_ms),
    full: r.full === true || r.full === 1,
  };
}

export function toGap(r: GapRow): Gap {
  return {
    id: Number(r.id),
    source: r.source,
    from: iso(r.from_ms),
    to: iso(r.to_ms),
    reason: r.reason,
    recordedAt: iso(r.recorded_at),
    backfilledAt: r.backfilled_at === null ? null : iso(r.backfilled_at),
  };
}

/**
 * The stored columns of a new incident, in the order both stores' INSERTs take them:
 * id, alert_event_id, name, occurred, occurred_ms, severity, fields, raw.
 */
export function incidentValues(
  i: NewIncident,
): [string, string, string, string, number, number, string, string] {
  return [
    i.id,
    i.alertEventId,
    i.name,
    i.occurred,
    Date.parse(i.occurred),
    i.severity,
    JSON.stringify(i.fields),
    JSON.stringify(i.raw),
  ];
}

/** Every column a new incident is stored with: the ones it came with, else made now. */
export function encodeIncident(i: NewIncident): EncodedIncident {
  return i.encoded ?? { values: incidentValues(i), searchText: searchText(i), groupKey: groupKey(i) };
}
