import type { Command } from 'commander';
import { getLogsByEventIdCommand } from '@siemlink/connector/commands/get-logs-by-event-id.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, pickColumns, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  id?: string;
  size?: string;
  pageSize?: string;
}

export function registerGetLogsByEventId(program: Command): void {
  addConnectionOptions(
    program.command('get-logs-by-event-id').description(getLogsByEventIdCommand.description),
  )
    .requiredOption('--id <alertEventId>', 'the security event id (alertEventId)')
    .option('--size <n>', 'number of logs to return, exactly (default 100)')
    .option('--page-size <n>', 'logs per request, 1..1000 (default 100)')
    .action(async (flags: Flags) => {
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
    });
}
