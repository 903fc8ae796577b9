import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { configError } from '../errors.ts';
import { SinkFilter, type OutboxRoute } from '../outbox/routing.ts';
import { DEFAULT_SINK_RETRY, SinkRetryPolicy } from '../outbox/retry.ts';
import { SINK_KINDS, sinkKind } from './registry.ts';

const NAME = '^[A-Za-z0-9_.:-]{1,64}$';

/** The keys every sink entry of the config file may have besides its kind's own settings. */
const SinkCommon = Type.Object({
  name: Type.Optional(Type.String({ pattern: NAME, description: 'unique; default: kind-<hash of target>' })),
  kind: Type.String({ minLength: 1 }),
  filter: Type.Optional(SinkFilter),
  concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  ordered: Type.Optional(Type.Boolean()),
  leaseMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  retry: Type.Optional(Type.Partial(SinkRetryPolicy)),
});
const COMMON_KEYS = Object.keys(SinkCommon.properties);

/** A sink as configured and validated; `settings` passed the kind's own schema. */
export const SinkConfig = Type.Object({
  name: Type.String({ pattern: NAME }),
  kind: Type.String(),
  filter: Type.Optional(SinkFilter),
  concurrency: Type.Integer({ minimum: 1 }),
  batchSize: Type.Integer({ minimum: 1 }),
  ordered: Type.Boolean(),
  leaseMs: Type.Integer(),
  timeoutMs: Type.Integer(),
  retry: SinkRetryPolicy,
  settings: Type.Record(Type.String(), Type.Unknown()),
});
export type SinkConfig = Static<typeof SinkConfig>;

const kinds = () => SINK_KINDS.map((k) => k.kind).join(', ');

function firstError(schema: Parameters<typeof Value.Errors>[0], value: unknown, label: string): void {
  const e = Value.Errors(schema, value).First();
  if (e) {
    const path = e.path.replace(/^\//, '').replace(/\//g, '.');
    throw configError(path ? `${label}.${path}` : label, e.message);
  }
}

/** Validates one config-file entry (`label` names it in errors: `sinks[0]`, `--sink`). */
export function resolveSink(raw: unknown, label: string): SinkConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw configError(label, 'must be an object');
  const entry = raw as Record<string, unknown>;
  const common: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) (COMMON_KEYS.includes(k) ? common : own)[k] = v;
  firstError(SinkCommon, common, label);
  const c = common as Static<typeof SinkCommon>;
  const def = sinkKind(c.kind);
  if (!def) throw configError(`${label}.kind`, `unknown sink kind "${c.kind}" (expected ${kinds()})`);
  const settings = Value.Default(def.settings, Value.Convert(def.settings, own)) as Record<string, unknown>;
  firstError(def.settings, settings, label);
  const retry = { ...DEFAULT_SINK_RETRY, ...c.retry };
  const timeoutMs = c.timeoutMs ?? 30_000;
  const leaseMs = c.leaseMs ?? Math.max(60_000, timeoutMs * 2);
  if (leaseMs <= timeoutMs) throw configError(`${label}.leaseMs`, `must exceed timeoutMs (${timeoutMs})`);
  const target = JSON.stringify(settings);
  return {
    name: c.name ?? `${def.kind}-${sha256Hex(target).slice(0, 8)}`,
    kind: def.kind,
    ...(c.filter ? { filter: c.filter } : {}),
    concurrency: c.concurrency ?? def.defaults?.concurrency ?? 1,
    batchSize: c.batchSize ?? def.defaults?.batchSize ?? 100,
    ordered: c.ordered ?? def.defaults?.ordered ?? true,
    leaseMs,
    timeoutMs,
    retry,
    settings,
  };
}

/** `KIND:TARGET` from `--sink` (repeatable): `webhook:URL`, `nats:SUBJECT`, `slack:URL`... (each kind's fromTarget). */
export function sinkFromFlag(value: string): SinkConfig {
  const i = value.indexOf(':');
  const kind = i > 0 ? value.slice(0, i) : '';
  const def = sinkKind(kind);
  if (!def || i === value.length - 1) {
    throw configError('--sink', `"${value.split(':')[0]}:…" is not KIND:TARGET with KIND one of ${kinds()}`);
  }
  return resolveSink({ kind, ...def.fromTarget(value.slice(i + 1)) }, '--sink');
}

/**
 * All sinks, in layer order (config file, SIEMLINK_SINKS, --sink): an object is a config-file
 * entry, a string is `KIND:TARGET`. Names must be unique.
 */
export function resolveSinks(entries: readonly unknown[]): SinkConfig[] {
  let n = 0;
  const out = entries.map((e) => (typeof e === 'string' ? sinkFromFlag(e) : resolveSink(e, `sinks[${n++}]`)));
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.name))
      throw configError('sinks', `two sinks are named "${s.name}" (names must be unique)`);
    seen.add(s.name);
  }
  return out;
}

/** What the store needs to write outbox rows. */
export function sinkRoutes(sinks: readonly Pick<SinkConfig, 'name' | 'filter'>[]): OutboxRoute[] {
  return sinks.map((s) => ({ sink: s.name, ...(s.filter ? { filter: s.filter } : {}) }));
}

/** node:crypto loads only when a sink needs a default name (a one-shot CLI run may not). */
function sha256Hex(text: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex');
}
