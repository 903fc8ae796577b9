/** Shapes the console reads; they mirror the connector's TypeBox schemas. */
export type Role = 'viewer' | 'analyst' | 'admin';
export type IncidentStatus = 'new' | 'active' | 'closed';

export interface Me {
  username: string;
  role: Role;
  csrfToken?: string | null;
}

export interface Incident {
  id: string;
  alertEventId: string;
  name: string;
  occurred: string;
  severity: number;
  originalSeverity?: number | null;
  status: IncidentStatus;
  owner: string | null;
  tags?: string[];
  closeReason?: string | null;
  closeNotes?: string | null;
  fields: Record<string, unknown>;
  raw: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Note {
  id: string | number;
  author: string;
  createdAt: string;
  updatedAt?: string;
  text: string;
}

export interface TimelineEntry {
  id?: string | number;
  at: string;
  actor: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface IncidentDetail extends Incident {
  notes?: Note[];
  timeline?: TimelineEntry[];
  logs?: Record<string, unknown>[];
  related?: Incident[];
}

export interface IncidentList {
  total: number;
  results: Incident[];
  counts?: { status?: Record<string, number>; severity?: Record<string, number> };
  nextCursor?: string | null;
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
