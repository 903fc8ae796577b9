import { backfillCommand, type BackfillResult } from '@siemlink/connector/commands/backfill.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
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

/**
 * `backfill`: a past window (or a recorded gap) into the incident store, beside the live loop;
 * its cursor is never touched. Filters default to the configured fetch filters (flags, env, file).
 */
export async function runBackfill(flags: Flags): Promise<void> {
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
}
