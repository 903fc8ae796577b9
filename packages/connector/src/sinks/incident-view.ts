import { isIP } from 'node:net';
import type { Incident } from '../store/types.ts';

/**
 * What the human-facing sinks (Slack, XSOAR, TheHive, syslog/CEF) read from an incident: the
 * rule, its severity label, the group-by values classified as IP, user, host or other. One place
 * so every target shows the same facts.
 */

const LABELS: readonly [number, string][] = [
  [4, 'SEVERE'],
  [3, 'HIGH'],
  [2, 'MEDIUM'],
  [1, 'LOW'],
  [0.5, 'INFO'],
];

/** The Logz.io severity label (the incident keeps it; else from the XSOAR scale). */
export function severityLabel(incident: Incident): string {
  const kept = incident.fields.severityLabel;
  if (typeof kept === 'string' && kept) return kept.toUpperCase();
  return LABELS.find(([n]) => incident.severity >= n)?.[1] ?? 'UNCLASSIFIED';
}

/** The rule id behind the incident (Logz.io `alertId`), or its name when absent. */
export function ruleId(incident: Incident): string {
  const id = incident.fields.alertId;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : incident.name;
}

export function text(incident: Incident, key: string): string | undefined {
  const v = incident.fields[key];
  return typeof v === 'string' && v.trim() ? v : undefined;
}

export function tags(incident: Incident): string[] {
  const t = incident.fields.tags;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

export type ObservableKind = 'ip' | 'user' | 'host' | 'other';

export interface GroupByValue {
  field: string;
  value: string;
  kind: ObservableKind;
}

const USER_FIELD = /(^|[._-])(user|username|usr|account|login|suser|duser|email|mail)([._-]|$)/i;
const HOST_FIELD = /(^|[._-])(host|hostname|computer|device|machine|shost|dhost|fqdn)([._-]|$)/i;

/** A group-by field and value as IP (by value), user or host (by field name), or other. */
export function classify(field: string, value: string): ObservableKind {
  if (isIP(value)) return 'ip';
  if (USER_FIELD.test(field)) return 'user';
  if (HOST_FIELD.test(field)) return 'host';
  return 'other';
}

/** The group-by values (`groupBy.<field>` in `fields`), in field order, arrays flattened. */
export function groupByValues(incident: Incident): GroupByValue[] {
  const out: GroupByValue[] = [];
  for (const [k, v] of Object.entries(incident.fields)) {
    if (!k.startsWith('groupBy.')) continue;
    const field = k.slice('groupBy.'.length);
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || item === undefined || typeof item === 'object') continue;
      const value = String(item);
      if (value) out.push({ field, value, kind: classify(field, value) });
    }
  }
  return out;
}

/** The console page of an incident under `consoleUrl`. */
export function consoleLink(consoleUrl: string, incident: Incident): string {
  return `${consoleUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(incident.id)}`;
}
