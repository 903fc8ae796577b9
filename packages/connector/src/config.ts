import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { ConnectorError, configError } from './errors.ts';
import { resolveApiUrl } from './client/regions.ts';
import { FetchOptions, resolveFetchOptions } from './fetch/options.ts';
import { SinkConfig, resolveSinks } from './sinks/config.ts';

/** Where the integration connects and how. Tokens are optional: each is needed only by its calls. */
export const ConnectionConfig = Type.Object(
  {
    apiUrl: Type.Optional(Type.String({ minLength: 1, description: 'custom API URL; wins over region' })),
    region: Type.Optional(Type.String({ minLength: 1, description: 'us, au, ca, eu, nl, uk, wa' })),
    securityToken: Type.Optional(Type.String({ minLength: 1 })),
    operationsToken: Type.Optional(Type.String({ minLength: 1 })),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    proxyUrl: Type.Optional(Type.String({ minLength: 1 })),
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    insecure: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type ConnectionConfig = Static<typeof ConnectionConfig>;

/** Where incidents live: the embedded SQLite file (default) or a PostgreSQL shared by several processes. */
export const StoreConfig = Type.Union([
  Type.Object({ kind: Type.Literal('sqlite') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('postgres'), url: Type.String({ minLength: 1 }) },
    { additionalProperties: false },
  ),
]);
export type StoreConfig = Static<typeof StoreConfig>;

export const ConnectorConfig = Type.Object(
  {
    connection: ConnectionConfig,
    dataDir: Type.String({ minLength: 1, default: './.siemlink' }),
    fetch: FetchOptions,
    store: Type.Optional(StoreConfig),
    /** Where new incidents are delivered onward (docs/sinks.md). */
    sinks: Type.Optional(Type.Array(SinkConfig)),
    /** The folder of the operator's playbook files (default DATA_DIR/playbooks); the built-ins are always loaded. */
    playbooksDir: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type ConnectorConfig = Static<typeof ConnectorConfig>;

/** A partial config as one source gives it (flags, env or file); values may be strings. */
export interface ConfigInput {
  connection?: { [K in keyof ConnectionConfig]?: unknown };
  dataDir?: unknown;
  playbooksDir?: unknown;
  fetch?: Record<string, unknown>;
  store?: { kind?: unknown; url?: unknown };
  /** Sink entries (objects, as in the file) or `KIND:TARGET` strings (flags, env); layers add up. */
  sinks?: unknown;
}

/** Every setting: its config path, its flag and its environment variable. */
const SETTINGS: { path: [string, string?]; flag: string; env: string; bool?: boolean }[] = [
  { path: ['connection', 'apiUrl'], flag: '--api-url', env: 'SIEMLINK_API_URL' },
  { path: ['connection', 'region'], flag: '--region', env: 'SIEMLINK_REGION' },
  { path: ['connection', 'securityToken'], flag: '--security-token', env: 'SIEMLINK_SECURITY_TOKEN' },
  { path: ['connection', 'operationsToken'], flag: '--operations-token', env: 'SIEMLINK_OPERATIONS_TOKEN' },
  { path: ['connection', 'timeoutMs'], flag: '--timeout-ms', env: 'SIEMLINK_TIMEOUT_MS' },
  { path: ['connection', 'proxyUrl'], flag: '--proxy', env: 'SIEMLINK_PROXY' },
  { path: ['connection', 'caFile'], flag: '--ca-file', env: 'SIEMLINK_CA_FILE' },
  { path: ['connection', 'insecure'], flag: '--insecure', env: 'SIEMLINK_INSECURE', bool: true },
  { path: ['dataDir'], flag: '--data-dir', env: 'SIEMLINK_DATA_DIR' },
  { path: ['playbooksDir'], flag: '--playbooks', env: 'SIEMLINK_PLAYBOOKS_DIR' },
  { path: ['fetch', 'enabled'], flag: '--fetch-enabled', env: 'SIEMLINK_FETCH_ENABLED', bool: true },
  { path: ['fetch', 'searchTerm'], flag: '--search', env: 'SIEMLINK_SEARCH' },
  { path: ['fetch', 'severities'], flag: '--severities', env: 'SIEMLINK_SEVERITIES' },
  { path: ['fetch', 'firstFetch'], flag: '--first-fetch', env: 'SIEMLINK_FIRST_FETCH' },
  { path: ['fetch', 'maxFetch'], flag: '--max-fetch', env: 'SIEMLINK_MAX_FETCH' },
  { path: ['fetch', 'source'], flag: '--source', env: 'SIEMLINK_FETCH_SOURCE' },
  { path: ['fetch', 'configIds'], flag: '--config-ids', env: 'SIEMLINK_CONFIG_IDS' },
  { path: ['store', 'url'], flag: '--store-url', env: 'SIEMLINK_STORE_URL' },
];

export const CONFIG_FILE_ENV = 'SIEMLINK_CONFIG';

export interface ConfigSources {
  /** Highest priority: parsed command-line flags, already shaped as a ConfigInput. */
  flags?: ConfigInput;
  /** Then SIEMLINK_* environment variables (default: none; pass process.env explicitly). */
  env?: Record<string, string | undefined>;
  /** Then a JSON file in ConnectorConfig's shape: this path, else env SIEMLINK_CONFIG. */
  configFile?: string;
}

function parseBool(v: string, env: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v.trim())) return true;
  if (/^(0|false|no|off)$/i.test(v.trim())) return false;
  throw configError(env, `must be true/false (or 1/0), got "${v}"`);
}

/** The environment as a ConfigInput: only SIEMLINK_* variables that are set and non-empty. */
export function configFromEnv(env: Record<string, string | undefined>): ConfigInput {
  const out: ConfigInput = {};
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v === undefined || v === '') continue;
    set(out, s.path, s.bool ? parseBool(v, s.env) : v);
  }
  const sinks = env.SIEMLINK_SINKS?.trim();
  if (sinks) out.sinks = sinks.split(/\s+/);
  return out;
}

function readConfigFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw configError('--config', `cannot read "${path}" (${(err as { code?: string }).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw configError('--config', `"${path}" is not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw configError('--config', `"${path}" must hold a JSON object`);
  }
  return data as ConfigInput;
}

/**
 * Loads the connector config: CLI flags > SIEMLINK_* env > JSON config file > defaults, merged
 * per setting. Validation errors name the setting by path plus the flag and variable that set
 * it. `connection.apiUrl` wins over `connection.region`. Unknown keys in the file are errors
 * (a typo must not be silently ignored).
 */
export function loadConnectorConfig(sources: ConfigSources, logger: Logger): ConnectorConfig {
  const env = sources.env ?? {};
  const filePath = sources.configFile ?? (env[CONFIG_FILE_ENV] || undefined);
  const layers: ConfigInput[] = [
    filePath ? readConfigFile(filePath) : {},
    configFromEnv(env),
    sources.flags ?? {},
  ];
  const merged: {
    connection: Record<string, unknown>;
    dataDir?: unknown;
    playbooksDir?: unknown;
    fetch: Record<string, unknown>;
    store: Record<string, unknown>;
  } = { connection: {}, fetch: {}, store: {} };
  const sinks: unknown[] = [];
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (key === 'sinks') {
        if (!Array.isArray(value)) throw configError('sinks', 'must be a list');
        sinks.push(...(value as unknown[]));
      } else if (key === 'connection' || key === 'fetch' || key === 'store') {
        if (!value || typeof value !== 'object' || Array.isArray(value)) {
          throw configError(key, 'must be an object');
        }
        for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== '') merged[key][k] = v;
      } else if (key === 'dataDir') merged.dataDir = value;
      else if (key === 'playbooksDir') merged.playbooksDir = value;
      else
        throw configError(
          key,
          `unknown setting (expected connection, dataDir, playbooksDir, fetch, store or sinks)`,
        );
    }
  }

  const connection = validate<ConnectionConfig>(ConnectionConfig, merged.connection, 'connection');
  resolveApiUrl(connection); // unknown region / bad URL fail here, at load time
  const dataDir = validate<string>(Type.String({ minLength: 1 }), merged.dataDir ?? './.siemlink', 'dataDir');
  let fetch: ConnectorConfig['fetch'];
  try {
    fetch = resolveFetchOptions(merged.fetch, logger);
  } catch (err) {
    throw withSettingNames(err, 'fetch');
  }
  const playbooksDir =
    merged.playbooksDir === undefined
      ? undefined
      : validate<string>(Type.String({ minLength: 1 }), merged.playbooksDir, 'playbooksDir');
  return {
    connection,
    dataDir,
    fetch,
    store: resolveStore(merged.store),
    sinks: resolveSinks(sinks),
    ...(playbooksDir === undefined ? {} : { playbooksDir }),
  };
}

/** `store.url` alone means PostgreSQL; the URL is never echoed (it may hold a password). */
function resolveStore(raw: Record<string, unknown>): StoreConfig {
  const urlLabel = settingLabel('store.url');
  for (const key of Object.keys(raw)) {
    if (key !== 'kind' && key !== 'url')
      throw configError(`store.${key}`, 'unknown setting (expected kind or url)');
  }
  const url = raw.url;
  const kind = raw.kind ?? (url === undefined ? 'sqlite' : 'postgres');
  if (kind === 'sqlite') {
    if (url !== undefined)
      throw configError(urlLabel, 'is only for store.kind "postgres" (store.kind is "sqlite")');
    return { kind };
  }
  if (kind !== 'postgres') {
    throw configError('store.kind', `must be "sqlite" or "postgres" (got ${JSON.stringify(kind)})`);
  }
  if (url === undefined) throw configError(urlLabel, 'is required when store.kind is "postgres"');
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\/./.test(url)) {
    throw configError(urlLabel, 'must be a postgres:// or postgresql:// URL');
  }
  return { kind, url };
}

/** The path, flag and variable of a setting, e.g. `fetch.firstFetch (--first-fetch / SIEMLINK_FIRST_FETCH)`. */
function settingLabel(path: string): string {
  const setting = SETTINGS.find((s) => s.path.join('.') === path);
  return setting ? `${path} (${setting.flag} / ${setting.env})` : path;
}

/** Re-labels an error that names a bare key (`firstFetch`) with its setting's path, flag and variable. */
function withSettingNames(err: unknown, prefix: string): unknown {
  if (!(err instanceof ConnectorError) || !err.field || err.field.includes('.')) return err;
  const label = settingLabel(`${prefix}.${err.field}`);
  const message = err.message.startsWith(`${err.field}: `)
    ? err.message.slice(err.field.length + 2)
    : err.message;
  return new ConnectorError({
    code: err.code,
    kind: err.kind,
    field: label,
    message: `${label}: ${message}`,
    cause: err,
  });
}

function validate<T>(schema: Parameters<typeof Value.Check>[0], raw: unknown, prefix: string): T {
  const value = Value.Default(schema, Value.Convert(schema, raw));
  const first = Value.Errors(schema, value).First();
  if (first) {
    const key = first.path.replace(/^\//, '').split('/')[0];
    const path = key ? `${prefix}.${key}` : prefix;
    const shown = /token/i.test(path) ? '' : ` (got ${JSON.stringify(first.value)})`;
    throw configError(settingLabel(path), `${first.message}${shown}`);
  }
  return value as T;
}

function set(target: ConfigInput, path: [string, string?], value: unknown): void {
  const [a, b] = path;
  const t = target as Record<string, Record<string, unknown> | unknown>;
  if (b === undefined) t[a] = value;
  else ((t[a] ??= {}) as Record<string, unknown>)[b] = value;
}
