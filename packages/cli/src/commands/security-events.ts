import { securityEventsCommand } from '@siemlink/connector/commands/security-events.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { formatTable, isTerminal, note, printLines, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  configIds?: string;
  offset?: string;
  from?: string;
  to?: string;
  limit?: string;
  follow?: boolean;
  intervalSeconds?: string;
}

/** NDJSON when piped (each event, then each response's `{ total, offset, limit? }` line). */
export async function runSecurityEvents(flags: Flags): Promise<void> {
  const rt = openConnector(flags);
  try {
    const items = await securityEventsCommand.invoke(
      {
        configIds: (flags.configIds ?? '')
          .split(/[;,]/)
          .map((s) => s.trim())
          .filter(Boolean),
        offset: flags.offset,
        from: flags.from,
        to: flags.to,
        limit: flags.limit,
        follow: flags.follow,
        intervalSeconds: flags.intervalSeconds,
      },
      rt.deps,
    );
    const tty = isTerminal();
    let rows: Record<string, unknown>[] = [];
    try {
      for await (const item of items) {
        if (!tty) {
          // The feed is read on once the line is written (a slow reader holds the response back).
          await printLines([item.kind === 'event' ? item.event : item.context]);
          continue;
        }
        if (item.kind === 'event') {
          const e = item.event;
          rows.push({
            eventDate: new Date(e.eventDate * 1000).toISOString(),
            severity: e.severity,
            name: e.name,
            configId: e.configId,
            alertEventId: e.alertEventId,
          });
        } else {
          if (rows.length) printText(formatTable(rows, Object.keys(rows[0]!)));
          rows = [];
          note(`offset ${item.context.offset} (${item.context.total} event(s))`);
        }
      }
    } catch (err) {
      if (!rt.signal.aborted) throw err;
    }
  } finally {
    await rt.close();
  }
}
