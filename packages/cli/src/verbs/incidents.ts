import type { Command } from 'commander';
import { addApiOptions } from './api-options.ts';
import { lazyAction } from './lazy.ts';

const load = () => import('../commands/incidents.ts');

/** `siemlink incidents list|show|update|note|close` over the connector's API. */
export function registerIncidents(program: Command): void {
  const incidents = program
    .command('incidents')
    .description('work incidents through the connector API (API key)');

  addApiOptions(incidents.command('list').description('the incident queue: filters, sort, one page'))
    .option('--status <list>', 'new,active,closed')
    .option('--severity <list>', 'exact severities, e.g. HIGH,SEVERE')
    .option('--owner <list>', 'owners; "me" is the API key')
    .option('--unassigned', 'unassigned incidents (with --owner: or unassigned)')
    .option('--rule <list>', 'exact rule names')
    .option('--tag <list>', 'incidents with any of these tags')
    .option('-q, --query <text>', 'free text over name, description and groupBy values')
    .option('--from <time>', 'occurred at or after (ISO 8601 or epoch ms)')
    .option('--to <time>', 'occurred at or before')
    .option('--sort <key>', 'occurred (default), severity or updated')
    .option('--order <dir>', 'desc (default) or asc')
    .option('--limit <n>', 'page size, 1..200 (default 50)')
    .option('--cursor <c>', 'the next page (printed after a page)')
    .action(lazyAction(async () => (await load()).runIncidentsList));

  addApiOptions(
    incidents.command('show <id>').description('one incident: fields, notes, timeline, logs, related'),
  ).action(lazyAction(async () => (await load()).runIncidentsShow));

  addApiOptions(incidents.command('update <id>').description('change status, owner, severity or tags'))
    .option('--status <s>', 'new or active (close with: incidents close)')
    .option('--owner <name>', 'assign')
    .option('--unassign', 'remove the owner')
    .option('--severity <s>', 'override: 0..4 or INFO..SEVERE (the original is kept)')
    .option('--tags <list>', 'replace the tags, comma separated ("" clears)')
    .action(lazyAction(async () => (await load()).runIncidentsUpdate));

  addApiOptions(incidents.command('note <id> <text...>').description('add a Markdown note')).action(
    lazyAction(async () => (await load()).runIncidentsNote),
  );

  addApiOptions(incidents.command('close <id>').description('close with a reason'))
    .requiredOption('--reason <reason>', 'resolved, false_positive, duplicate, benign_true_positive or other')
    .option('--notes <text>', 'close notes')
    .action(lazyAction(async () => (await load()).runIncidentsClose));
}
