import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { SiemClient } from '../client/types.ts';
import { configError } from '../errors.ts';

/** What every command runs with: passed in by the CLI or a playbook, never global. */
export interface CommandDeps {
  client: SiemClient;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** Progress for long work (the CLI shows it on a terminal only). */
  progress?: (message: string) => void;
}

/** `D`: a command that needs more than the common deps (a store) says so in its type. */
export interface CommandSpec<S extends TSchema, R, D extends CommandDeps = CommandDeps> {
  name: string;
  description: string;
  /** Arguments, named like the CLI flags in camelCase (`fromTime` is `--from-time`). */
  args: S;
  run(args: Static<S>, deps: D): Promise<R> | R;
}

export interface ConnectorCommand<
  S extends TSchema,
  R,
  D extends CommandDeps = CommandDeps,
> extends CommandSpec<S, R, D> {
  /** Validates raw arguments (strings are coerced, defaults applied); errors name the flag. */
  parseArgs(raw: unknown): Static<S>;
  /** parseArgs + run: what a playbook calls. */
  invoke(raw: unknown, deps: D): Promise<R>;
}

const kebab = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Declares a command as a plain object; the result is callable as a function. */
export function defineCommand<S extends TSchema, R, D extends CommandDeps = CommandDeps>(
  spec: CommandSpec<S, R, D>,
): ConnectorCommand<S, R, D> {
  function parseArgs(raw: unknown): Static<S> {
    const input: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>))
      if (v !== undefined) input[k] = v;
    const value = Value.Default(spec.args, Value.Convert(spec.args, input));
    const first = Value.Errors(spec.args, value).First();
    if (first) {
      const key = first.path.replace(/^\//, '').split('/')[0];
      const field = key ? kebab(key) : spec.name;
      throw configError(field, `${first.message} (got ${JSON.stringify(first.value)})`, 'INVALID_ARGUMENT');
    }
    return value as Static<S>;
  }
  return {
    ...spec,
    parseArgs,
    invoke: async (raw, deps) => spec.run(parseArgs(raw), deps),
  };
}
