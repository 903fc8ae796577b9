import type { SinkDefinition } from './define.ts';
import { natsSink } from './kinds/nats.ts';
import { slackSink } from './kinds/slack.ts';
import { syslogSink } from './kinds/syslog.ts';
import { theHiveSink } from './kinds/thehive.ts';
import { webhookSink } from './kinds/webhook.ts';
import { xsoarSink } from './kinds/xsoar.ts';

/**
 * Every sink kind. Adding one: its declaration under sinks/kinds/ (defineSink: schema, lazy
 * create), its implementation under sinks/, and one line here.
 */
export const SINK_KINDS: readonly SinkDefinition[] = [
  webhookSink,
  natsSink,
  slackSink,
  theHiveSink,
  xsoarSink,
  syslogSink,
] as readonly SinkDefinition[];

export function sinkKind(kind: string): SinkDefinition | undefined {
  return SINK_KINDS.find((k) => k.kind === kind);
}
