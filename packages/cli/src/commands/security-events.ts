import type { Command } from 'commander';
import { securityEventsCommand } from '@siemlink/connector/commands/security-events.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, note, printLine, printText } from '../output.ts';

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
export function registerSecurityEvents(program: Command): void {
  addConnectionOptions(program.command('security-events').description(securityEventsCommand.description))
    .requiredOption('--config-ids <ids>', 'security configuration ids, separated by ; or ,')
    .option('--offset <offset>', 'continue after this offset (from a previous context line)')
    .option(
      '--from <time>',
      'start time within the last 12 h: epoch s/ms, ISO 8601, "1 hour ago" (default 5 minutes ago)',
    )
    .option('--to <time>', 'end time (a bounded range, read once)')
    .option('--limit <n>', 'events per request (default 10000)')
    .option('--follow', 'keep tailing with the returned offset until interrupted', false)
    .option('--interval-seconds <s>', 'seconds between polls with --follow (default 10)')
    .action(async (flags: Flags) => {
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
              printLine(item.kind === 'event' ? item.event : item.context);
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
    });
}
