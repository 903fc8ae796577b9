import { Agent } from 'undici';
import { parseRetryAfter } from '../client/transport.ts';
import { configError } from '../errors.ts';
import type { Incident } from '../store/types.ts';
import { keptBody, type SinkContext, type SinkInstance } from './define.ts';
import type { SlackSettings } from './kinds/slack.ts';
import { consoleLink, groupByValues, ruleId, severityLabel, text } from './incident-view.ts';

/** Slack's mrkdwn needs only these three escaped. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** `{text, blocks}`: `text` is the notification fallback; blocks show rule, severity, group-by values, link. */
export function slackMessage(incident: Incident, consoleUrl: string): { text: string; blocks: unknown[] } {
  const sev = severityLabel(incident);
  const link = consoleLink(consoleUrl, incident);
  const values = groupByValues(incident);
  const grouped = values.map((v) => `${v.field}=${v.value}`).join(', ');
  const description = text(incident, 'description') ?? text(incident, 'alertSummary');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`[${sev}] ${incident.name}`, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Rule*\n${esc(incident.name)} (${esc(ruleId(incident))})` },
        { type: 'mrkdwn', text: `*Severity*\n${sev}` },
        { type: 'mrkdwn', text: `*Occurred*\n${incident.occurred}` },
        { type: 'mrkdwn', text: `*Incident*\n<${link}|${esc(incident.id)}>` },
      ],
    },
  ];
  if (description) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(esc(description), 3000) } });
  }
  // A section takes at most 10 fields.
  for (let i = 0; i < values.length && i < 30; i += 10) {
    blocks.push({
      type: 'section',
      fields: values
        .slice(i, i + 10)
        .map((v) => ({ type: 'mrkdwn', text: cut(`*${esc(v.field)}*\n${esc(v.value)}`, 2000) })),
    });
  }
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in siemlink' }, url: link }],
  });
  const fallback = `[${sev}] ${incident.name}${grouped ? ` (${grouped})` : ''}: ${link}`;
  return { text: cut(esc(fallback), 3000), blocks };
}

/** Opens a slack sink (declared in kinds/slack.ts, which imports this file only when one is configured). */
export async function createSlackSink(settings: SlackSettings, ctx: SinkContext): Promise<SinkInstance> {
  const raw = settings.url ?? ctx.env[settings.urlEnv];
  if (!raw) {
    throw configError(`sinks.${ctx.name}.urlEnv`, `environment variable ${settings.urlEnv} is not set`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`sinks.${ctx.name}.urlEnv`, 'is not a valid URL');
  }
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  const path = url.pathname + url.search;
  return {
    async deliver(item, signal) {
      const body = JSON.stringify(slackMessage(item.incident, settings.consoleUrl));
      const res = await agent.request({
        origin: url.origin,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'siemlink-connector/0.1' },
        body,
        signal,
      });
      const answer = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, remoteId: null };
      const clientError = res.statusCode >= 400 && res.statusCode < 500;
      return {
        ok: false,
        status: res.statusCode,
        error: `Slack answered HTTP ${res.statusCode} ${cut(answer.trim(), 100)} (${url.host})`,
        retryAfterMs: parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
        body: keptBody(answer),
        permanent: clientError && res.statusCode !== 408 && res.statusCode !== 429,
      };
    },
    async close() {
      await agent.close();
    },
  };
}
