import { searchLogsCommand } from '@siemlink/connector/commands/search-logs.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { formatTable, isTerminal, note, pickColumns, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  query?: string;
  size?: string;
  fromTime?: string;
  toTime?: string;
  sort?: string;
}

export async function runSearchLogs(flags: Flags): Promise<void> {
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
}
