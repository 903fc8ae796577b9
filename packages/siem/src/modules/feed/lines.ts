import type { FeedContext } from '@siemlink/contracts';
import type { SecurityEventRow } from '../events/repository.ts';

/** Akamai's rule-member encoding: URL-encode(join(";", base64(each))). One entry per member here. */
export function akamaiEncode(values: string[]): string {
  return encodeURIComponent(values.map((v) => Buffer.from(v, 'utf8').toString('base64')).join(';'));
}

const s = JSON.stringify;
/** A quoted IPv4 or IPv6 literal inside the stored group-by JSON text. */
const QUOTED_IP = /"((?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})"/;

/**
 * The first group-by value that is an IP address: Akamai's `attackData.clientIP`. Scanned on
 * the stored JSON text (no parse per line); a group-by key shaped like an IP is not a concern.
 */
function clientIp(groupBy: string | null): string {
  if (groupBy === null) return '';
  return QUOTED_IP.exec(groupBy)?.[1] ?? '';
}

const SELECTORS = new Map<string, string>();
/** `ruleSelectors` carries the severity: five possible values, encoded once. */
function selector(severity: string): string {
  let v = SELECTORS.get(severity);
  if (v === undefined) {
    v = s(akamaiEncode([severity]));
    SELECTORS.set(severity, v);
  }
  return v;
}

export interface FeedLineWriter {
  /** One NDJSON line (with its '\n') for a stored security event: see FeedEvent in contracts. */
  line(r: SecurityEventRow): string;
}

/**
 * Builds lines by hand rather than object + JSON.stringify: `tags`, `mitreTags` and `groupBy`
 * are stored as JSON text and spliced in as is, and the per-rule parts (rule fields, encoded
 * Akamai rule members) are built once per rule per response. Output is byte-for-byte valid JSON (tested).
 */
export function createFeedLineWriter(): FeedLineWriter {
  /** Per rule (as stored on the event): the leading event fields and the encoded rule members. */
  const rules = new Map<string, { head: string; members: string }>();
  const ruleParts = (r: SecurityEventRow) => {
    const key = `${r.rule_id}\u0000${r.name}\u0000${r.description}\u0000${r.alert_summary}\u0000${r.tags}`;
    let part = rules.get(key);
    if (part === undefined) {
      const tags = JSON.parse(r.tags) as string[];
      part = {
        head: `{"alertId":${r.rule_id},"name":${s(r.name)},"description":${s(r.description)},"alertSummary":${s(r.alert_summary)}`,
        members:
          `,"policyId":"rule_${r.rule_id}"` +
          `,"rules":${s(akamaiEncode([String(r.rule_id)]))},"ruleVersions":${s(akamaiEncode(['1']))}` +
          `,"ruleMessages":${s(akamaiEncode([r.name]))},"ruleTags":${s(akamaiEncode([tags.join('/')]))}` +
          `,"ruleData":${s(akamaiEncode([r.alert_summary]))},"ruleActions":"YWxlcnQ%3D"`,
      };
      if (rules.size > 10_000) rules.clear();
      rules.set(key, part);
    }
    return part;
  };
  return {
    line(r) {
      const rule = ruleParts(r);
      const id = s(r.alert_event_id);
      const configId = `"${r.config_id}"`;
      return (
        `${rule.head},"eventDate":${r.event_date / 1000}` +
        `,"alertWindowStartDate":${r.window_start / 1000},"alertWindowEndDate":${r.window_end / 1000}` +
        `,"severity":"${r.severity}","alertEventId":${id},"groupBy":${r.group_by ?? 'null'}` +
        `,"tags":${r.tags},"hits":${r.hits},"isMuted":${r.is_muted === 1},"mitreTags":${r.mitre_tags}` +
        `,"configId":${configId},"storedAt":${r.stored_at / 1000},"accountId":${r.account_id}` +
        `,"type":"akamai_siem","format":"json","version":"1.0"` +
        `,"attackData":{"configId":${configId},"clientIP":${s(clientIp(r.group_by))},"appliedAction":"alert"` +
        `${rule.members},"ruleSelectors":${selector(r.severity)}}` +
        `,"httpMessage":{"requestId":${id},"start":"${Math.floor(r.event_date / 1000)}"${HTTP_REST}` +
        `,"geo":{"asn":"","city":"","continent":"","country":"","regionCode":""}}\n`
      );
    },
  };
}

/** The fixed rest of `httpMessage`: a security event is not an HTTP request; all strings. */
const HTTP_REST =
  ',"protocol":"HTTP/1.1","method":"POST","host":"siemlink","port":"443","path":"/","query":""' +
  ',"requestHeaders":"","status":"200","bytes":"0","responseHeaders":""}';

/**
 * The last line, byte-exact: `{ "total": N, "offset": "...", "limit": N }` with those spaces,
 * because XSOAR detects an empty response with the substring `{ "total": 0`.
 */
export function contextLine(ctx: FeedContext): string {
  const limit = ctx.limit === undefined ? '' : `, "limit": ${ctx.limit}`;
  return `{ "total": ${ctx.total}, "offset": ${s(ctx.offset)}${limit} }\n`;
}
