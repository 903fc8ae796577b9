import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

/** `test`: one line per token; exit code 1 if a configured token fails or none is set. */
export function registerTest(program: Command): void {
  addConnectionOptions(program.command('test').description(VERB_DESCRIPTIONS.test)).action(
    lazyAction(async () => (await import('../commands/test.ts')).runTest),
  );
}
