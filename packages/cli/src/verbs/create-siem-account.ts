import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

export function registerCreateSiemAccount(program: Command): void {
  addConnectionOptions(
    program.command('create-siem-account').description(VERB_DESCRIPTIONS['create-siem-account']),
  )
    .requiredOption('--name <name>', 'account name (letters, digits, space, . _ -)')
    .requiredOption('--email <email>', 'email of the SIEM account')
    .option('--accounts-to-scan <ids>', 'log account ids the SIEM reads, comma separated (e.g. 1,2)')
    .option('--repository-account', 'use a shared repository account', false)
    .action(
      lazyAction(async () => (await import('../commands/create-siem-account.ts')).runCreateSiemAccount),
    );
}
