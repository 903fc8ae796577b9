import type { Command } from 'commander';
import { addApiOptions } from './api-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { intOption } from '../options.ts';

const api = () => import('../commands/playbooks.ts');
const local = () => import('../commands/playbooks-local.ts');

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `siemlink playbooks ...`: runs and manual tasks through the connector's API (API key), and
 * `validate` / `test`, which need no connector: they load files and run in a throwaway store.
 */
export function registerPlaybooks(program: Command): void {
  const pb = program
    .command('playbooks')
    .description('playbooks: validate, run on incidents, follow runs, answer tasks');

  addApiOptions(
    pb.command('list').description('loaded playbooks (every version) and files refused at load'),
  ).action(lazyAction(async () => (await api()).runPlaybooksList));

  pb.command('validate <paths...>')
    .description(
      'check playbook files or folders; prints file:line: [CODE] step <id>: message, exits 1 on any',
    )
    .action(lazyAction(async () => (await local()).runPlaybooksValidate));

  addApiOptions(pb.command('run <name>').description('start a playbook on an incident'))
    .requiredOption('--incident <id>', 'the incident id')
    .option('--input <k=v>', 'an input (repeatable); typed by the playbook declaration', collect)
    .option(
      '--playbook-version <n>',
      'this version (default: the newest loaded)',
      intOption('--playbook-version', 1),
    )
    .action(lazyAction(async () => (await api()).runPlaybooksRun));

  addApiOptions(pb.command('runs').description('runs, newest first'))
    .option('--incident <id>', "one incident's runs")
    .option('--status <list>', 'pending,running,waiting,succeeded,failed,cancelled,timed-out')
    .option('--playbook <name>', 'one playbook')
    .option('--limit <n>', 'at most, 1..500 (default 50)', intOption('--limit', 1, 500))
    .option('--before <run>', 'the next page (printed after a page)')
    .action(lazyAction(async () => (await api()).runPlaybooksRuns));

  addApiOptions(
    pb.command('show <run>').description("one run: each step's status, input, output, error, timing"),
  ).action(lazyAction(async () => (await api()).runPlaybooksShow));

  addApiOptions(pb.command('cancel <run>').description('cancel a run that has not ended')).action(
    lazyAction(async () => (await api()).runPlaybooksCancel),
  );

  addApiOptions(
    pb.command('retry <run>').description('re-run a failed, timed-out or cancelled run from its failed step'),
  ).action(lazyAction(async () => (await api()).runPlaybooksRetry));

  addApiOptions(pb.command('tasks').description('manual steps waiting for an answer'))
    .option('--incident <id>', "one incident's tasks")
    .action(lazyAction(async () => (await api()).runPlaybooksTasks));

  addApiOptions(
    pb
      .command('answer <run> <step> [fields...]')
      .description('answer a manual step: field=value ... (typed by its form)'),
  ).action(lazyAction(async () => (await api()).runPlaybooksAnswer));

  // Command steps query the SIEM (they only read), so the connection options apply.
  addConnectionOptions(
    pb
      .command('test <file>')
      .description(
        'run a playbook on a copy of an incident in a throwaway store; http and deliver steps get recorded fakes',
      )
      .requiredOption('--incident <id>', 'the incident to copy (from --data-dir / --store-url)')
      .option('--input <k=v>', 'an input (repeatable)', collect),
  ).action(lazyAction(async () => (await local()).runPlaybooksTest));
}
