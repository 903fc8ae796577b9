import type { Command } from 'commander';
import { lazyAction } from './lazy.ts';
import { addSiemOptions } from './siem-options.ts';

export function registerServe(program: Command): void {
  addSiemOptions(program.command('serve').description('run the local Cloud SIEM (API + log listener)'))
    .option('--demo', 'generate demo logs and load the default rule pack', false)
    .action(lazyAction(async () => (await import('../commands/serve.ts')).runServe));
}
