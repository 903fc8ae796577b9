import type { Static, TObject } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { Incident } from '../store/types.ts';
import { configError } from '../errors.ts';

/** One incident to hand to a target; `attempt` counts from 1. */
export interface DeliveryItem {
  sink: string;
  outboxId: number;
  attempt: number;
  incident: Incident;
}

/**
 * What a target said. `ok` includes "already have it" answers (each sink is idempotent on the
 * incident id as its target allows). A failure carries the HTTP status when there was one (none:
 * network error or timeout); the dispatcher's retry policy decides between retry and dead letter,
 * unless the sink knows the failure is `permanent` (e.g. a payload the target can never take).
 */
export type DeliveryResult =
  | { ok: true; remoteId?: string | null }
  | {
      ok: false;
      error: string;
      status?: number;
      retryAfterMs?: number;
      /** The target's answer, kept on a dead letter for the analyst (truncated). */
      body?: string;
      permanent?: boolean;
    };

export interface SinkInstance {
  deliver(item: DeliveryItem, signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface SinkContext {
  /** The configured sink name (several sinks may share a kind). */
  name: string;
  logger: Logger;
  clock: Clock;
  /** Where secrets come from: settings name environment variables, never hold the secret. */
  env: Record<string, string | undefined>;
}

/** Dispatch settings a sink kind may default differently (the config can still override them). */
export interface SinkDefaults {
  concurrency?: number;
  batchSize?: number;
  ordered?: boolean;
}

/**
 * A sink kind, declared as one object in one file under sinks/kinds/ and listed in
 * sinks/registry.ts. `settings` is the schema of the kind's own keys in a config file entry (the
 * common keys — name, kind, filter, retry, concurrency... — are handled for every kind). The
 * declaration holds only the schema: the implementation (its client library, NATS or undici)
 * lives in sinks/<kind>.ts and `create` imports it, so loading the config loads no sink's client.
 */
export interface SinkDefinition<S extends TObject = TObject> {
  kind: string;
  description: string;
  settings: S;
  /** `--sink KIND:TARGET` on the command line: the kind's settings from TARGET. */
  fromTarget(target: string): Record<string, unknown>;
  defaults?: SinkDefaults;
  /** Opens the sink (connections, streams). Throws a config error naming the setting on bad input. */
  create(settings: Static<S>, ctx: SinkContext): Promise<SinkInstance>;
}

export function defineSink<S extends TObject>(def: SinkDefinition<S>): SinkDefinition<S> {
  return def;
}

const BODY_LIMIT = 4096;

/** A target's answer body as kept on a dead letter: text, at most 4 KiB. */
export function keptBody(text: string): string {
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…` : text;
}

/** A sink's target URL setting, parsed; a config error naming `sinks.<name>.<field>` when it is not one. */
export function sinkUrl(ctx: SinkContext, field: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw configError(`sinks.${ctx.name}.${field}`, 'is not a valid URL');
  }
}

/** A secret from the environment variable a setting names; a config error naming the setting when unset. */
export function sinkSecret(ctx: SinkContext, field: string, envName: string): string {
  const value = ctx.env[envName];
  if (!value) throw configError(`sinks.${ctx.name}.${field}`, `environment variable ${envName} is not set`);
  return value;
}
