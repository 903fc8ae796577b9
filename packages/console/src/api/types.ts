/** Shapes the console reads; they mirror the connector's TypeBox schemas. */
export type Role = 'viewer' | 'analyst' | 'admin';
export type IncidentStatus = 'new' | 'active' | 'closed';

export interface Me {
  username: string;
  role: Role;
  csrfToken?: string | null;
}

/** An incident as the queue lists it (no raw event, no whole fields object). */
export interface IncidentSummary {
  id: string;
  alertEventId: string;
  name: string;
  occurred: string;
  severity: number;
  originalSeverity: number;
  status: IncidentStatus;
  owner: string | null;
  tags: string[];
  closeReason: string | null;
  closeNotes?: string | null;
  description: string | null;
  groupBy: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface Incident extends Omit<IncidentSummary, 'description' | 'groupBy'> {
  fields: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface Note {
  id: number;
  author: string;
  createdAt: string;
  updatedAt: string;
  /** Markdown */
  body: string;
  revisions: { body: string; author: string; at: string }[];
}

export interface TimelineEntry {
  id: number;
  at: string;
  actor: { kind: string; name: string };
  kind: string;
  before: unknown;
  after: unknown;
}

export interface IncidentLogs {
  fetchedAt: string | null;
  count: number;
  cap: number;
  truncated: boolean;
  error: string | null;
  logs: Record<string, unknown>[];
}

export interface IncidentDetail {
  incident: Incident;
  notes: Note[];
  timeline: TimelineEntry[];
  logs: IncidentLogs | null;
  related: Incident[];
}

export interface IncidentList {
  /** null on pages after the first (the API counts on the first page only) */
  total: number | null;
  results: IncidentSummary[];
  counts: { byStatus: Record<string, number>; bySeverity: Record<string, number> } | null;
  nextCursor: string | null;
}

/** `GET /api/auth/session` and the login answer. */
export interface SessionInfo {
  user: { name: string; role: Role; kind: 'user' | 'api_key' };
  csrfToken: string | null;
}

export interface LogSearchResult {
  query: string;
  from: string;
  to: string;
  total: number;
  hits: { id: string; source: Record<string, unknown> }[];
  histogram: { intervalMs: number; buckets: { t: number; count: number }[] };
}

export interface SecurityRule {
  id: number;
  title: string;
  description?: string;
  enabled: boolean;
  tags?: string[];
  mitreTags?: string[];
  updatedAt: string;
  updatedBy: string;
  subComponents?: { output?: { severity?: string }; severityThresholdTiers?: Record<string, unknown> }[];
}

export interface SecurityEvent {
  alertEventId: string;
  name: string;
  severity: string;
  eventDate: number | string;
  hits?: number;
  description?: string;
  groupBy?: Record<string, unknown>;
  tags?: string[];
}

export interface FetchRun {
  id: number;
  source: string;
  startedAt: string;
  endedAt: string;
  count: number;
  error: string | null;
  lagMs: number | null;
}

export interface Gap {
  id: number;
  source: string;
  from: string;
  to: string;
  reason: string;
  recordedAt: string;
  backfilledAt: string | null;
}

export const CLOSE_REASONS = [
  ['resolved', 'Resolved'],
  ['false_positive', 'False positive'],
  ['duplicate', 'Duplicate'],
  ['benign_true_positive', 'Benign true positive'],
  ['other', 'Other'],
] as const;

export const SEVERITIES: { value: number; label: string }[] = [
  { value: 4, label: 'SEVERE' },
  { value: 3, label: 'HIGH' },
  { value: 2, label: 'MEDIUM' },
  { value: 1, label: 'LOW' },
  { value: 0.5, label: 'INFO' },
];

export function severityLabel(n: number): string {
  return SEVERITIES.find((s) => s.value === n)?.label ?? 'UNCLASSIFIED';
}

export const canWrite = (me: Me | null | undefined) => me?.role === 'analyst' || me?.role === 'admin';
