import { getLogsByEventIdCommand } from '@siemlink/connector/commands/get-logs-by-event-id.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { formatTable, isTerminal, pickColumns, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  id?: string;
  size?: string;
  pageSize?: string;
}

export async function runGetLogsByEventId(flags: Flags): Promise<void> {
  const rt = openConnector(flags);
  try {
    const r = await getLogsByEventIdCommand.invoke(
      { id: flags.id, size: flags.size, pageSize: flags.pageSize },
      rt.deps,
    );
    rt.clearProgress();
    if (isTerminal())
      printText(formatTable(r.logs, pickColumns(r.logs, ['@timestamp', 'type', 'message'], 4)));
    else printJson(r);
  } finally {
    await rt.close();
  }
}
