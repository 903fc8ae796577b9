import type {
  Actor,
  CaseCounts,
  CasePatch,
  CaseQuery,
  CaseSla,
  IncidentLogs,
  Note,
  TimelineEntry,
  TimelineKind,
} from '../cases/schemas.ts';
import type { ApiKey, Role, User } from '../auth/schemas.ts';
import type { Incident, IncidentSummary } from './types.ts';

export interface NewLogs {
  logs: Record<string, unknown>[];
  cap: number;
  truncated: boolean;
  error: string | null;
}

/** Case management over the incidents (notes, timeline, logs, related, SLA figures). */
export interface CaseStore {
  /** One page of the queue, `limit` + 1 rows at most (the extra row says a next page exists). */
  queryIncidents(q: CaseQuery): Promise<IncidentSummary[]>;
  /**
   * Counts by status and by current severity over the incidents `q` matches ignoring its status
   * and severity filters (so the queue can show what each facet would give), and `total`, the
   * count matching every filter.
   */
  caseCounts(
    q: Omit<CaseQuery, 'sort' | 'order' | 'limit' | 'after'>,
  ): Promise<CaseCounts & { total: number }>;
  /** Applies the patch with its timeline entries in one transaction; null when there is no such incident. */
  updateCase(id: string, patch: CasePatch, actor: Actor, now: number): Promise<Incident | null>;
  /** The same patch on every id, all in one transaction: an unknown id or a refused change writes nothing. */
  bulkUpdateCases(ids: readonly string[], patch: CasePatch, actor: Actor, now: number): Promise<Incident[]>;
  addNote(incidentId: string, body: string, actor: Actor, now: number): Promise<Note | null>;
  /** A new text for a note; the previous one is kept as a revision. Null when note or incident is unknown. */
  editNote(incidentId: string, noteId: number, body: string, actor: Actor, now: number): Promise<Note | null>;
  listNotes(incidentId: string): Promise<Note[]>;
  timeline(incidentId: string): Promise<TimelineEntry[]>;
  /** An entry written by someone else than an update (a playbook run, a delivery). False when no incident. */
  appendTimeline(
    incidentId: string,
    entry: { kind: TimelineKind; actor: Actor; before?: unknown; after?: unknown },
    now: number,
  ): Promise<boolean>;
  /** Replaces the captured logs of an incident, with a timeline entry. False when no incident. */
  putIncidentLogs(incidentId: string, logs: NewLogs, actor: Actor, now: number): Promise<boolean>;
  getIncidentLogs(incidentId: string): Promise<IncidentLogs | null>;
  /** Same rule and groupBy values, occurred within `windowMs` either side; newest first; itself excluded. */
  relatedIncidents(incidentId: string, windowMs: number, limit: number): Promise<Incident[]>;
  caseSla(): Promise<CaseSla>;
}

export interface UserRecord extends User {
  passwordHash: string;
}

export interface SessionRecord {
  idHash: string;
  username: string;
  role: Role;
  csrfToken: string;
  expiresAt: number;
}

export interface ApiKeyRecord extends ApiKey {
  keyHash: string;
}

/** What a change of a user came to. */
export type UserChange = 'done' | 'not_found' | 'last_admin';

/** Users, sessions and API keys of the connector's API. Secrets are stored only as hashes. */
export interface AuthStore {
  /** False when the username is taken. */
  createUser(u: { username: string; role: Role; passwordHash: string }, now: number): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<User[]>;
  countUsers(): Promise<number>;
  /** Also ends the user's sessions. False when no such user. */
  setPassword(username: string, passwordHash: string, now: number): Promise<boolean>;
  /**
   * Also ends the user's sessions. Refused ('last_admin') when it would leave no admin: checked
   * and written in one transaction, so two admins removing each other cannot both succeed.
   */
  removeUser(username: string): Promise<UserChange>;
  /** A new role (sessions keep going with it). Refused ('last_admin') when it would leave no admin. */
  setRole(username: string, role: Role, now: number): Promise<UserChange>;
  createSession(
    s: { idHash: string; username: string; csrfToken: string; expiresAt: number },
    now: number,
  ): Promise<void>;
  /** The live session (not expired at `now`) with its user's current role. */
  getSession(idHash: string, now: number): Promise<SessionRecord | null>;
  deleteSession(idHash: string): Promise<void>;
  createApiKey(
    k: { id: string; name: string; role: Role; keyHash: string; createdBy: string },
    now: number,
  ): Promise<ApiKey>;
  /** The unrevoked key with this hash; records its use (at most once a minute). */
  useApiKey(keyHash: string, now: number): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKey[]>;
  /** False when no such unrevoked key. */
  revokeApiKey(id: string, now: number): Promise<boolean>;
  /** The live failure windows (reset after `now`) of these keys. */
  loginFailures(
    keys: readonly string[],
    now: number,
  ): Promise<{ key: string; count: number; resetAt: number }[]>;
  /**
   * One more failure on each key, atomically: a window that has ended starts again at 1 until
   * `now + windowMs`. Ended windows of any key are deleted on the way.
   */
  recordLoginFailure(keys: readonly string[], windowMs: number, now: number): Promise<void>;
  clearLoginFailures(keys: readonly string[]): Promise<void>;
}
