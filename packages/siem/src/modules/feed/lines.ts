import type { FeedContext } from '@siemlink/contracts';
import type { SecurityEventRow } from '../events/repository.ts';

/** Akamai's rule-member encoding: URL-encode(join(";", base64(each))). One entry per member here. */
export function akamaiEncode(values: string[]): string {
  return encodeURIComponent(values.map((v) => Buffer.from(v, 'utf8').toString('base64')).join(';'));
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/;
const s = JSON.stringify;

/** The first group-by value that is an IP address: Akamai's `attackData.clientIP`. */
function clientIp(groupBy: string | null): string {
  if (groupBy === null) return '';
  for (const v of Object.values(JSON.parse(groupBy) as Record<string, unknown>)) {
    if (typeof v === 'string' && (IPV4.test(v) || IPV6.test(v))) return v;
  }
  return '';
}

export interface FeedLineWriter {
  /** One NDJSON line (with its '\n') for a stored security event: see FeedEvent in contracts. */
  line(r: SecurityEventRow): string;
}

/**
 * Builds lines by hand rather than object + JSON.stringify: `tags`, `mitreTags` and `groupBy`
 * are stored as JSON text and spliced in as is, and the per-rule part of the Akamai envelope
 * is computed once per rule per response. Output is byte-for-byte valid JSON (tested).
 */
export function createFeedLineWriter(): FeedLineWriter {
  const ruleParts = new Map<string, string>();
  const rulePart = (r: SecurityEventRow): string => {
    const key = `${r.rule_id}\u0000${r.name}\u0000${r.alert_summary}\u0000${r.tags}`;
    let part = ruleParts.get(key);
    if (part === undefined) {
      const tags = JSON.parse(r.tags) as string[];
      part =
        `,"rules":${s(akamaiEncode([String(r.rule_id)]))},"ruleVersions":${s(akamaiEncode(['1']))}` +
        `,"ruleMessages":${s(akamaiEncode([r.name]))},"ruleTags":${s(akamaiEncode([tags.join('/')]))}` +
        `,"ruleData":${s(akamaiEncode([r.alert_summary]))}`;
      if (ruleParts.size > 10_000) ruleParts.clear();
      ruleParts.set(key, part);
    }
    return part;
  };
  return {
    line(r) {
      const configId = String(r.config_id);
      return (
        `{"alertId":${r.rule_id},"name":${s(r.name)},"description":${s(r.description)}` +
        `,"alertSummary":${s(r.alert_summary)},"eventDate":${r.event_date / 1000}` +
        `,"alertWindowStartDate":${r.window_start / 1000},"alertWindowEndDate":${r.window_end / 1000}` +
        `,"severity":${s(r.severity)},"alertEventId":${s(r.alert_event_id)},"groupBy":${r.group_by ?? 'null'}` +
        `,"tags":${r.tags},"hits":${r.hits},"isMuted":${r.is_muted === 1},"mitreTags":${r.mitre_tags}` +
        `,"configId":${s(configId)},"storedAt":${r.stored_at / 1000},"accountId":${r.account_id}` +
        `,"type":"akamai_siem","format":"json","version":"1.0"` +
        `,"attackData":{"configId":${s(configId)},"policyId":"rule_${r.rule_id}","clientIP":${s(clientIp(r.group_by))}` +
        `,"appliedAction":"alert"${rulePart(r)},"ruleSelectors":${s(akamaiEncode([r.severity]))}` +
        `,"ruleActions":"YWxlcnQ%3D"}` +
        `,"httpMessage":{"requestId":${s(r.alert_event_id)},"start":"${Math.floor(r.event_date / 1000)}"` +
        `,"protocol":"HTTP/1.1","method":"POST","host":"siemlink","port":"443","path":"/","query":""` +
        `,"requestHeaders":"","status":"200","bytes":"0","responseHeaders":""}` +
        `,"geo":{"asn":"","city":"","continent":"","country":"","regionCode":""}}\n`
      );
    },
  };
}

/**
 * The last line, byte-exact: `{ "total": N, "offset": "...", "limit": N }` with those spaces,
 * because XSOAR detects an empty response with the substring `{ "total": 0`.
 */
export function contextLine(ctx: FeedContext): string {
  const limit = ctx.limit === undefined ? '' : `, "limit": ${ctx.limit}`;
  return `{ "total": ${ctx.total}, "offset": ${s(ctx.offset)}${limit} }\n`;
}
