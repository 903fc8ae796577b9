import type { CaseState } from '../cases/apply-patch.ts';
import type { ActorKind, IncidentLogs, Note, TimelineEntry, TimelineKind } from '../cases/schemas.ts';
import type { IncidentRow } from './rows.ts';

/** Case-management rows as both stores read them (BIGINT may arrive as a string from pg). */
type Int = number | string;
const iso = (ms: Int) => new Date(Number(ms)).toISOString();

export interface TimelineRow {
  id: Int;
  incident_id: string;
  at: Int;
  actor_kind: string;
  actor: string;
  kind: string;
  before: string | null;
  after: string | null;
}
export interface NoteRow {
  id: Int;
  incident_id: string;
  author: string;
  body: string;
  created_at: Int;
  updated_at: Int;
}
export interface RevisionRow {
  id: Int;
  note_id: Int;
  author: string;
  body: string;
  at: Int;
}
export interface LogsRow {
  incident_id: string;
  fetched_at: Int | null;
  cap: number;
  truncated: number | boolean;
  error: string | null;
  logs: string;
}

export function toTimeline(r: TimelineRow): TimelineEntry {
  return {
    id: Number(r.id),
    incidentId: r.incident_id,
    at: iso(r.at),
    actor: { kind: r.actor_kind as ActorKind, name: r.actor },
    kind: r.kind as TimelineKind,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  };
}

/** What the "created" entry is made of: the incident row's own columns. */
export interface CreatedRow {
  id: string;
  created_at: Int;
  original_severity: number | null;
  severity: number;
}

/**
 * An incident's "created" timeline entry, read from its row instead of stored as a timeline row
 * per incident (a row and a random-keyed index entry in every fetch commit). Always first: id 0,
 * below every stored entry's.
 */
export function createdEntry(r: CreatedRow): TimelineEntry {
  return {
    id: 0,
    incidentId: r.id,
    at: iso(r.created_at),
    actor: { kind: 'fetch', name: 'fetch' },
    kind: 'created',
    before: null,
    after: { status: 'new', severity: Number(r.original_severity ?? r.severity) },
  };
}

export function toNote(n: NoteRow, revisions: RevisionRow[]): Note {
  return {
    id: Number(n.id),
    incidentId: n.incident_id,
    author: n.author,
    body: n.body,
    createdAt: iso(n.created_at),
    updatedAt: iso(n.updated_at),
    revisions: revisions.map((r) => ({ body: r.body, author: r.author, at: iso(r.at) })),
  };
}

export function toLogs(r: LogsRow): IncidentLogs {
  const logs = JSON.parse(r.logs) as Record<string, unknown>[];
  return {
    incidentId: r.incident_id,
    fetchedAt: r.fetched_at === null ? null : iso(r.fetched_at),
    count: logs.length,
    cap: Number(r.cap),
    truncated: r.truncated === true || r.truncated === 1,
    error: r.error,
    logs,
  };
}

export function caseState(r: IncidentRow): CaseState {
  return {
    status: r.status,
    owner: r.owner,
    severity: Number(r.severity),
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
    closeReason: (r.close_reason ?? null) as CaseState['closeReason'],
    closeNotes: r.close_notes ?? null,
    acknowledgedAt: r.acknowledged_at == null ? null : Number(r.acknowledged_at),
    closedAt: r.closed_at == null ? null : Number(r.closed_at),
  };
}
