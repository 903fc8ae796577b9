import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

/** `security-configurations`: the ids that `security-events --config-ids` and feed mode take. */
export function registerSecurityConfigurations(program: Command): void {
  addConnectionOptions(
    program.command('security-configurations').description(VERB_DESCRIPTIONS['security-configurations']),
  ).action(
    lazyAction(
      async () => (await import('../commands/security-configurations.ts')).runSecurityConfigurations,
    ),
  );
}
