import { listSecurityConfigurationsCommand } from '@siemlink/connector/commands/list-security-configurations.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

/** `security-configurations`: the ids that `security-events --config-ids` and feed mode take. */
export async function runSecurityConfigurations(flags: ConnectionFlags): Promise<void> {
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
}
