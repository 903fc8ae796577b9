import type { Command } from 'commander';
import { createSiemAccountCommand } from '@siemlink/connector/commands/create-siem-account.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  name?: string;
  email?: string;
  accountsToScan?: string;
  repositoryAccount?: boolean;
}

export function registerCreateSiemAccount(program: Command): void {
  addConnectionOptions(
    program.command('create-siem-account').description(createSiemAccountCommand.description),
  )
    .requiredOption('--name <name>', 'account name (letters, digits, space, . _ -)')
    .requiredOption('--email <email>', 'email of the SIEM account')
    .option('--accounts-to-scan <ids>', 'log account ids the SIEM reads, comma separated (e.g. 1,2)')
    .option('--repository-account', 'use a shared repository account', false)
    .action(async (flags: Flags) => {
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
    });
}
