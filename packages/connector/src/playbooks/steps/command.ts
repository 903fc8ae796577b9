import { ConnectorError } from '../../errors.ts';
import { stepInputError } from '../../errors.ts';
import type { FeedContext, FeedEvent } from '@siemlink/contracts';
import type { CommandDeps } from '../../commands/define.ts';
import { searchLogsCommand } from '../../commands/search-logs.ts';
import { getLogsByEventIdCommand } from '../../commands/get-logs-by-event-id.ts';
import { securityEventsCommand } from '../../commands/security-events.ts';
import { createSiemAccountCommand } from '../../commands/create-siem-account.ts';
import type { FeedItem } from '../../client/types.ts';
import type { CommandName } from '../definition/outputs.ts';
import type { Step } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';

type CommandStep = Extract<Step, { kind: 'command' }>;

/**
 * Each command as a step: its rendered `with` goes through the command's own argument schema
 * (defaults applied, errors naming the argument) and its result becomes the step output, shaped
 * as definition/outputs.ts declares (the static check resolves paths against that).
 */
const runners: Record<CommandName, (args: Record<string, unknown>, deps: CommandDeps) => Promise<unknown>> = {
  'search-logs': (args, deps) => searchLogsCommand.invoke(args, deps),
  'get-logs-by-event-id': (args, deps) => getLogsByEventIdCommand.invoke(args, deps),
  'security-events': async (args, deps) => {
    // A step reads the feed once; following it would never end the step.
    if (args.follow === true || args.follow === 'true')
      throw stepInputError('with.follow', 'a playbook step reads the feed once; follow is not allowed');
    const events: FeedEvent[] = [];
    let context: FeedContext | null = null;
    const items = (await securityEventsCommand.invoke(
      { ...args, follow: false },
      deps,
    )) as AsyncIterable<FeedItem>;
    for await (const item of items) {
      if (item.kind === 'event') events.push(item.event);
      else context = item.context;
    }
    return { events, context };
  },
  // The new account's API token is left out: step outputs are stored in the journal and shown.
  'create-siem-account': async (args, deps) => ({
    account: (await createSiemAccountCommand.invoke(args, deps)).account,
  }),
};

export const commandExecutor: StepExecutor<CommandStep> = {
  kind: 'command',
  async execute(step, ctx) {
    const run = runners[step.command as CommandName];
    if (!run) throw stepInputError('command', `unknown command "${step.command}"`);
    const input = (await ctx.render(step.with ?? {})) as Record<string, unknown>;
    try {
      const output = await run(input, {
        client: ctx.client,
        clock: ctx.clock,
        logger: ctx.logger,
        signal: ctx.signal,
      });
      return { input, output };
    } catch (err) {
      // Argument errors name CLI flags (--from-time); in a playbook the field is with.fromTime.
      if (err instanceof ConnectorError && err.code === 'INVALID_ARGUMENT' && err.field?.startsWith('--')) {
        const name = err.field.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        throw new ConnectorError({
          code: err.code,
          kind: err.kind,
          field: `with.${name}`,
          message: err.message.replace(err.field, `with.${name}`),
          cause: err,
        });
      }
      throw err;
    }
  },
};
