import type { SinkDefinition } from './define.ts';
import { natsSink } from './nats.ts';
import { slackSink } from './slack.ts';
import { syslogSink } from './syslog.ts';
import { theHiveSink } from './thehive.ts';
import { webhookSink } from './webhook.ts';
import { xsoarSink } from './xsoar.ts';

/** Every sink kind. Adding one: its file under sinks/ (defineSink) and one line here. */
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
