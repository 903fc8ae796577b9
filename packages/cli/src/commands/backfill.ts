import { InvalidArgumentError, type Command } from 'commander';
import {
  BACKFILL_DEFAULT_MARGIN_MINUTES,
  backfillCommand,
  type BackfillResult,
} from '@siemlink/connector/commands/backfill.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  from?: string;
  to?: string;
  gap?: number;
  search?: string;
  severities?: string;
  pageSize?: string;
  marginMinutes?: string;
}

function gapId(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('--gap must be a gap id (a positive integer; GET /api/health lists them)');
  }
  return Number(value);
}

/**
 * `backfill`: a past window (or a recorded gap) into the incident store, beside the live loop;
 * its cursor is never touched. Filters default to the configured fetch filters (flags, env, file).
 */
export function registerBackfill(program: Command): void {
  addConnectionOptions(program.command('backfill').description(backfillCommand.description))
    .option('--from <time>', 'window start (eventDate): epoch s/ms, ISO 8601 (UTC), "6 hours ago"')
    .option('--to <time>', 'window end, same formats, not in the future (default now)')
    .option(
      '--gap <id>',
      'backfill a recorded gap instead of --from/--to (GET /api/health lists them)',
      gapId,
    )
    .option('--search <text>', 'filter by rule name (default: the configured fetch filter)')
    .option('--severities <list>', 'filter by rule severity, e.g. HIGH,SEVERE (default: configured)')
    .option('--page-size <n>', 'events per request, 1..1000 (default 1000)')
    .option(
      '--margin-minutes <n>',
      `feed gaps: minutes added on each side, storage time vs eventDate (default ${BACKFILL_DEFAULT_MARGIN_MINUTES})`,
    )
    .action(async (flags: Flags) => {
      const rt = openConnector(flags, { searchTerm: flags.search, severities: flags.severities });
      let r: BackfillResult;
      const store = await openIncidentStore(rt.config);
      try {
        r = await backfillCommand.invoke(
          {
            from: flags.from,
            to: flags.to,
            gapId: flags.gap,
            pageSize: flags.pageSize,
            marginMinutes: flags.marginMinutes,
          },
          {
            ...rt.deps,
            store,
            filters: { searchTerm: rt.config.fetch.searchTerm, severities: rt.config.fetch.severities },
          },
        );
      } finally {
        await store.close();
        // Also erases the progress line before the result is printed.
        await rt.close();
      }
      if (isTerminal()) {
        printText(
          formatTable(
            [{ ...r, from: r.window.from, to: r.window.to, gap: r.gapId ?? '' }],
            ['from', 'to', 'gap', 'scanned', 'inserted', 'alreadyPresent', 'runId'],
          ),
        );
      } else printJson(r);
      for (const n of r.notes) note(`note: ${n}`);
    });
}
