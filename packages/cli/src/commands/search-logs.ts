import type { Command } from 'commander';
import { searchLogsCommand } from '@siemlink/connector/commands/search-logs.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, note, pickColumns, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  query?: string;
  size?: string;
  fromTime?: string;
  toTime?: string;
  sort?: string;
}

export function registerSearchLogs(program: Command): void {
  addConnectionOptions(program.command('search-logs').description(searchLogsCommand.description))
    .option('--query <lucene>', 'Lucene query (default "*")')
    .option('--size <n>', 'number of logs to return (default 50)')
    .option(
      '--from-time <time>',
      'start: epoch s or ms, ISO 8601 (UTC), "now" or "2 hours ago" (default yesterday 00:00 UTC)',
    )
    .option('--to-time <time>', 'end, same formats (default now)')
    .option('--sort <order>', '@timestamp order: desc (newest first, the default) or asc', 'desc')
    .action(async (flags: Flags) => {
      const rt = openConnector(flags);
      try {
        const r = await searchLogsCommand.invoke(
          {
            query: flags.query,
            size: flags.size,
            fromTime: flags.fromTime,
            toTime: flags.toTime,
            sort: flags.sort,
          },
          rt.deps,
        );
        rt.clearProgress();
        if (isTerminal()) {
          printText(formatTable(r.hits, pickColumns(r.hits, ['@timestamp', 'type', 'message'], 4)));
          note(`${r.hits.length} of ${r.total} hit(s), ${r.from} .. ${r.to}`);
        } else printJson(r);
        for (const n of r.notes) note(`note: ${n}`);
      } finally {
        await rt.close();
      }
    });
}
