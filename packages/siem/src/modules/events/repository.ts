import type { SecurityEvent, Severity } from '@siemlink/contracts';
import { severityRank } from '@siemlink/contracts';
import type { Store } from '../../store/store.ts';

/** A security event about to be stored. Times are epoch ms. */
export interface NewSecurityEvent {
  alertEventId: string;
  accountId: number;
  configId: number;
  ruleId: number;
  name: string;
  description: string;
  alertSummary: string;
  eventDate: number;
  windowStart: number;
  windowEnd: number;
  severity: Severity;
  groupBy: Record<string, string> | null;
  tags: string[];
  mitreTags: string[];
  hits: number;
  isMuted: boolean;
  /** `logs.seq` of the logs behind the event. */
  logSeqs: number[];
}

export interface SecurityEventRow {
  seq: number;
  alert_event_id: string;
  account_id: number;
  config_id: number;
  rule_id: number;
  name: string;
  description: string;
  alert_summary: string;
  event_date: number;
  window_start: number;
  window_end: number;
  severity: Severity;
  severity_rank: number;
  group_by: string | null;
  tags: string;
  mitre_tags: string;
  hits: number;
  is_muted: number;
  stored_at: number;
}

/** Row to the wire shape: epoch ms become epoch seconds with a millisecond fraction. */
export function toSecurityEvent(r: SecurityEventRow): SecurityEvent {
  return {
    alertId: r.rule_id,
    name: r.name,
    description: r.description,
    alertSummary: r.alert_summary,
    eventDate: r.event_date / 1000,
    alertWindowStartDate: r.window_start / 1000,
    alertWindowEndDate: r.window_end / 1000,
    severity: r.severity,
    alertEventId: r.alert_event_id,
    groupBy: r.group_by === null ? null : (JSON.parse(r.group_by) as Record<string, string>),
    tags: JSON.parse(r.tags) as string[],
    hits: r.hits,
    isMuted: r.is_muted === 1,
    mitreTags: JSON.parse(r.mitre_tags) as string[],
  };
}

export interface SecurityEventsWriter {
  /**
   * Stores events and their log links in one transaction; `storedAt` (epoch ms) is the storage
   * time, raised to the last stored event's when older (a clock stepping back), so storage time
   * never decreases along the storage sequence: the feed's time mode ends its offset at the last
   * seq stored by `to`, which would otherwise skip an earlier seq stored "later". Returns the
   * storage sequence numbers assigned, in input order.
   */
  insert(events: NewSecurityEvent[], storedAt: number): number[];
}

export function createSqliteSecurityEventsWriter(store: Store): SecurityEventsWriter {
  const db = store.db;
  const ins = db.prepare(
    `INSERT INTO security_events (alert_event_id, account_id, config_id, rule_id, name, description,
       alert_summary, event_date, window_start, window_end, severity, severity_rank, group_by, tags,
       mitre_tags, hits, is_muted, stored_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const link = db.prepare('INSERT OR IGNORE INTO security_event_logs (event_seq, log_seq) VALUES (?, ?)');
  const lastStoredAt = db.prepare('SELECT stored_at AS s FROM security_events ORDER BY seq DESC LIMIT 1');
  return {
    insert(events, requestedStoredAt) {
      return store.tx(() => {
        const last = lastStoredAt.get() as { s: number } | undefined;
        const storedAt = Math.max(requestedStoredAt, last?.s ?? requestedStoredAt);
        return events.map((e) => {
          const r = ins.run(
            e.alertEventId,
            e.accountId,
            e.configId,
            e.ruleId,
            e.name,
            e.description,
            e.alertSummary,
            e.eventDate,
            e.windowStart,
            e.windowEnd,
            e.severity,
            severityRank(e.severity),
            e.groupBy === null ? null : JSON.stringify(e.groupBy),
            JSON.stringify(e.tags),
            JSON.stringify(e.mitreTags),
            e.hits,
            e.isMuted ? 1 : 0,
            storedAt,
          );
          const seq = Number(r.lastInsertRowid);
          for (const l of e.logSeqs) link.run(seq, l);
          return seq;
        });
      });
    },
  };
}
