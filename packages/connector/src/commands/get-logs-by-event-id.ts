import { Type } from '@sinclair/typebox';
import { defineCommand } from './define.ts';

export interface EventLogsResult {
  alertEventId: string;
  logs: Record<string, unknown>[];
}

/** `get-logs-by-event-id`: the logs that triggered one security event; exactly `size` at most. */
export const getLogsByEventIdCommand = defineCommand({
  name: 'get-logs-by-event-id',
  description: 'the logs that triggered one security event (Security token)',
  args: Type.Object({
    id: Type.String({ minLength: 1, maxLength: 100, description: 'alertEventId' }),
    size: Type.Integer({ minimum: 1, maximum: 100_000, default: 100, description: 'logs to return' }),
    pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'logs per request' }),
  }),
  async run(args, deps): Promise<EventLogsResult> {
    const logs: Record<string, unknown>[] = [];
    for await (const log of deps.client.iterateEventLogs(args.id, args.size, args.pageSize, {
      signal: deps.signal,
    })) {
      logs.push(log);
      if (logs.length % 1000 === 0) deps.progress?.(`${logs.length} log(s)`);
    }
    return { alertEventId: args.id, logs };
  },
});
