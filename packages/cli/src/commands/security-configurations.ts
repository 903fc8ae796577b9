import type { Command } from 'commander';
import { listSecurityConfigurationsCommand } from '@siemlink/connector/commands/list-security-configurations.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

/** `security-configurations`: the ids that `security-events --config-ids` and feed mode take. */
export function registerSecurityConfigurations(program: Command): void {
  addConnectionOptions(
    program.command('security-configurations').description(listSecurityConfigurationsCommand.description),
  ).action(async (flags: ConnectionFlags) => {
    const rt = openConnector(flags);
    try {
      const list = await listSecurityConfigurationsCommand.invoke({}, rt.deps);
      if (isTerminal()) {
        printText(
          formatTable(
            list.map((c) => ({ ...c })),
            ['id', 'name', 'ruleCount', 'isDefault', 'createdAt'],
          ),
        );
      } else printJson(list);
    } finally {
      await rt.close();
    }
  });
}
