import { Agent } from 'undici';
import { parseRetryAfter } from '../client/transport.ts';
import type { Incident } from '../store/types.ts';
import { keptBody, sinkSecret, sinkUrl, type SinkContext, type SinkInstance } from './define.ts';
import type { TheHiveCustomFieldSource, TheHiveSettings } from './kinds/thehive.ts';
import { consoleLink, groupByValues, ruleId, severityLabel, tags, text } from './incident-view.ts';
import { jsonPoster } from './json-post.ts';
import { messageText } from './message.ts';

/** XSOAR scale onto TheHive's 1 low, 2 medium, 3 high, 4 critical. */
export function theHiveSeverity(severity: number): number {
  return severity >= 4 ? 4 : severity >= 3 ? 3 : severity >= 2 ? 2 : 1;
}

export interface TheHiveObservable {
  dataType: string;
  data: string;
  tags: string[];
}

/** Group-by values as observables: IPs `ip`, hosts `hostname`, users `mail` or `other`, the rest `other`; no repeats (TheHive refuses an alert with two equal observables). */
export function theHiveObservables(incident: Incident): TheHiveObservable[] {
  const out = new Map<string, TheHiveObservable>();
  for (const v of groupByValues(incident)) {
    const dataType =
      v.kind === 'ip'
        ? 'ip'
        : v.kind === 'host'
          ? 'hostname'
          : v.kind === 'user' && v.value.includes('@')
            ? 'mail'
            : 'other';
    const tag = v.kind === 'user' ? ['user', `groupBy:${v.field}`] : [`groupBy:${v.field}`];
    const key = `${dataType}\u0000${v.value}`;
    const seen = out.get(key);
    if (seen) seen.tags.push(...tag.filter((x) => !seen.tags.includes(x)));
    else out.set(key, { dataType, data: v.value, tags: tag });
  }
  return [...out.values()];
}

/**
 * The alert's `customFields` as TheHive 5's v1 API takes them: `[{name, value, order}]`, in the
 * configured order; a fact the incident lacks is left out. The fields must exist in TheHive
 * (an admin defines them), so none are sent unless configured.
 */
export function theHiveCustomFields(
  incident: Incident,
  map: Record<string, TheHiveCustomFieldSource>,
): { name: string; value: string; order: number }[] {
  const value = (src: TheHiveCustomFieldSource): string | undefined => {
    switch (src) {
      case 'alertEventId':
        return incident.alertEventId;
      case 'incidentId':
        return incident.id;
      case 'rule':
        return incident.name;
      case 'ruleId':
        return ruleId(incident);
      case 'severityLabel':
        return severityLabel(incident);
      case 'alertSummary':
        return text(incident, 'alertSummary');
    }
  };
  const out: { name: string; value: string; order: number }[] = [];
  for (const [name, src] of Object.entries(map)) {
    const v = value(src);
    if (v !== undefined) out.push({ name, value: v, order: out.length });
  }
  return out;
}

export function theHiveAlert(
  incident: Incident,
  s: {
    type: string;
    source: string;
    tlp: number;
    pap: number;
    consoleUrl: string;
    customFields?: Record<string, TheHiveCustomFieldSource>;
  },
  message?: unknown,
): Record<string, unknown> {
  const values = groupByValues(incident);
  const lines = [
    ...(message === undefined ? [] : [`**Playbook**: ${messageText(message)}`, '']),
    text(incident, 'description') ?? text(incident, 'alertSummary') ?? incident.name,
    '',
    `**Rule**: ${incident.name} (${ruleId(incident)})`,
    `**Severity**: ${severityLabel(incident)}`,
    `**Occurred**: ${incident.occurred}`,
    ...values.map((v) => `**${v.field}**: ${v.value}`),
    `**siemlink**: ${consoleLink(s.consoleUrl, incident)}`,
  ];
  return {
    type: s.type,
    source: s.source,
    sourceRef: incident.id,
    title: incident.name,
    description: lines.join('\n'),
    severity: theHiveSeverity(incident.severity),
    date: Date.parse(incident.occurred),
    tags: tags(incident),
    tlp: s.tlp,
    pap: s.pap,
    observables: theHiveObservables(incident),
    ...(s.customFields ? { customFields: theHiveCustomFields(incident, s.customFields) } : {}),
  };
}

/** Opens a thehive sink (declared in kinds/thehive.ts, which imports this file only when one is configured). */
export async function createTheHiveSink(settings: TheHiveSettings, ctx: SinkContext): Promise<SinkInstance> {
  const base = sinkUrl(ctx, 'url', settings.url);
  const key = sinkSecret(ctx, 'apiKeyEnv', settings.apiKeyEnv);
  const prefix = base.pathname.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${key}`,
    'user-agent': 'siemlink-connector/0.1',
  };
  if (settings.organisation) headers['x-organisation'] = settings.organisation;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  const post = jsonPoster(agent, base, prefix, headers);
  const idOf = (t: string): string | null => {
    try {
      const j = JSON.parse(t) as unknown;
      const o = (Array.isArray(j) ? j[0] : j) as { _id?: unknown } | undefined;
      return typeof o?._id === 'string' ? o._id : null;
    } catch {
      return null;
    }
  };
  /** The existing alert's `_id` after a duplicate answer (null when the lookup fails). */
  const existing = async (incident: Incident, signal: AbortSignal) => {
    const query = {
      query: [
        { _name: 'listAlert' },
        {
          _name: 'filter',
          _and: [
            { _eq: { _field: 'type', _value: settings.type } },
            { _eq: { _field: 'source', _value: settings.source } },
            { _eq: { _field: 'sourceRef', _value: incident.id } },
          ],
        },
        { _name: 'page', from: 0, to: 1 },
      ],
    };
    try {
      const r = await post('/api/v1/query?name=siemlink-alert-by-sourceRef', query, signal);
      return r.status === 200 ? idOf(r.text) : null;
    } catch {
      return null;
    }
  };
  return {
    async deliver(item, signal) {
      const r = await post('/api/v1/alert', theHiveAlert(item.incident, settings, item.message), signal);
      if (r.status >= 200 && r.status < 300) return { ok: true, remoteId: idOf(r.text) };
      if (r.status === 400 && /already exists/i.test(r.text)) {
        return { ok: true, remoteId: await existing(item.incident, signal) };
      }
      const auth = r.status === 401 || r.status === 403;
      return {
        ok: false,
        status: r.status,
        error: auth
          ? `TheHive refused the API key from ${settings.apiKeyEnv} (HTTP ${r.status}): check the key and its organisation's permissions`
          : `HTTP ${r.status} from TheHive ${base.host}`,
        retryAfterMs: parseRetryAfter(r.headers['retry-after'], ctx.clock.now()),
        body: keptBody(r.text),
        ...(r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429
          ? { permanent: true }
          : {}),
      };
    },
    async close() {
      await agent.close();
    },
  };
}
