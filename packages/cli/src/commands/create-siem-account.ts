import { createSiemAccountCommand } from '@siemlink/connector/commands/create-siem-account.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  name?: string;
  email?: string;
  accountsToScan?: string;
  repositoryAccount?: boolean;
}

export async function runCreateSiemAccount(flags: Flags): Promise<void> {
  const rt = openConnector(flags);
  try {
    const r = await createSiemAccountCommand.invoke(
      {
        name: flags.name,
        email: flags.email,
        accountsToScan: flags.accountsToScan
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        repositoryAccount: flags.repositoryAccount,
      },
      rt.deps,
    );
    if (isTerminal()) {
      printText(formatTable([{ ...r.account }], Object.keys(r.account)));
      if (r.apiToken) printText(`API token of the new account: ${r.apiToken}`);
    } else printJson(r);
  } finally {
    await rt.close();
  }
}
