/**
 * Every error the connector raises on purpose (client, config, commands, fetching, its API). `code` is stable (callers and tests key
 * on it); `kind` says who has to act: the operator (`config`), nobody but time (`transient`), or
 * us (`system`). `status` is the HTTP status when one was received or answered; `cause` is kept. Messages
 * never carry header values or tokens: anything that could is passed through `redact`.
 */
export type ErrorKind = 'config' | 'transient' | 'system';

/**
 * Where a code arises: `api`, an answer of the connector's own API (the error carries the
 * catalogue's status); `remote`, a server's answer (the received status is kept); `local`, the
 * CLI, the config, the network or a playbook run (no status of its own; `status` is what the
 * API answers when it passes the code on, or the class of status it stands for).
 */
export type ErrorOrigin = 'api' | 'remote' | 'local';

/** One entry of the catalogue: the HTTP status a code goes with, its kind, what it means. */
export interface ErrorSpec {
  status: number;
  kind: ErrorKind;
  origin: ErrorOrigin;
  /** What the code means (docs/errors.md); a thrown error's own message says what happened. */
  message: string;
  /** Other statuses the same code may carry (a received status, a SIEM refusal passed on). */
  alsoStatus?: readonly number[];
}

const local = (kind: ErrorKind, message: string) =>
  ({
    status: kind === 'config' ? 400 : kind === 'transient' ? 503 : 500,
    kind,
    origin: 'local',
    message,
  }) as const;
const loadError = (message: string) => local('config', `playbook load: ${message}`);

/**
 * The connector's error catalogue: every `code` of a ConnectorError and every `errorCode` its API
 * answers with. docs/errors.md lists it (test/errors.test.ts keeps the two equal).
 */
export const CONNECTOR_ERRORS = {
  // Settings and arguments (CLI, config file, environment).
  INVALID_CONFIG: local('config', 'a setting is invalid (the setting is named)'),
  INVALID_ARGUMENT: local('config', 'a command argument is invalid (the flag is named)'),
  INVALID_FETCH_OPTION: local('config', 'a fetch option cannot be used (the option is named)'),
  UNKNOWN_REGION: local('config', 'the region is not one of Logz.io’s'),
  UNKNOWN_GAP: { status: 404, kind: 'config', origin: 'local', message: 'no recorded gap with that id' },
  MISSING_TOKEN: {
    status: 503,
    kind: 'config',
    origin: 'local',
    message: 'a call needs an API token nobody configured (the console answers 503 naming the setting)',
  },
  // Reaching a server.
  TLS_ERROR: local('config', 'the server certificate is not trusted (--ca-file, or --insecure)'),
  PROXY_ERROR: local('config', 'the proxy refused the tunnel with a 4xx (check --proxy and its credentials)'),
  NETWORK_ERROR: local('transient', 'the connection failed (refused, reset, DNS, a proxy 5xx); retried'),
  TIMEOUT: local('transient', 'a request ran past its timeout; retried'),
  BAD_RESPONSE: local('system', 'a server answered with a body that does not match its schema'),
  // A server's non-2xx answer (HttpError keeps the status it received).
  BAD_REQUEST: {
    status: 400,
    kind: 'config',
    origin: 'remote',
    message: 'the server refused the request (or Fastify rejected one to the API before any route ran)',
    alsoStatus: [422],
  },
  UNAUTHORIZED: { status: 401, kind: 'config', origin: 'remote', message: 'the server refused the token' },
  RATE_LIMITED: {
    status: 429,
    kind: 'transient',
    origin: 'remote',
    message: 'the server asks to slow down; retried',
  },
  SERVER_ERROR: {
    status: 500,
    kind: 'transient',
    origin: 'remote',
    message: 'the server failed; retried when the call is idempotent',
    alsoStatus: [502, 503, 504],
  },
  HTTP_ERROR: {
    status: 409,
    kind: 'config',
    origin: 'remote',
    message: 'any other non-2xx answer of a server',
    alsoStatus: [405, 410, 413, 415],
  },
  // The security-event feed.
  OFFSET_EXPIRED: {
    status: 416,
    kind: 'transient',
    origin: 'remote',
    message: 'the offset is older than the replay window: a gap is recorded, then time mode',
  },
  OFFSET_REJECTED: {
    status: 400,
    kind: 'transient',
    origin: 'remote',
    message: 'the feed refused the offset itself (a recreated SIEM): handled as OFFSET_EXPIRED',
  },
  FEED_TRUNCATED: local(
    'transient',
    'a feed response ended before its offset line; re-read from the last offset',
  ),
  FEED_LINE_TOO_LARGE: local('system', 'a feed line is over the line limit'),
  FEED_DECODER_FAILED: local('system', 'the feed decoder’s thread failed; the run is retried in-process'),
  CORRUPT_CURSOR: local('system', 'a stored cursor does not match its schema; never reset silently'),
  CURSOR_CONFLICT: local('transient', 'another writer moved the cursor; the run is discarded and redone'),
  INCIDENT_ID_MISMATCH: local(
    'system',
    "an incident's id is not the one its alert event id gives; the commit is refused",
  ),
  // The connector's API: the request (400), who is calling (401, 403).
  VALIDATION_FAILED: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'a request field breaks a rule (the field is named)',
  },
  INVALID_QUERY: { status: 400, kind: 'config', origin: 'api', message: 'a log search query does not parse' },
  CLOSE_REASON_REQUIRED: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'closing an incident needs body.closeReason',
  },
  CANNOT_REMOVE_SELF: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'an admin cannot remove their own user',
  },
  UNAUTHENTICATED: {
    status: 401,
    kind: 'config',
    origin: 'api',
    message: 'no session or API key, or one that matches nothing',
  },
  FORBIDDEN: {
    status: 403,
    kind: 'config',
    origin: 'api',
    message: 'the role may not do this (or a server refused the token’s rights)',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    kind: 'config',
    origin: 'api',
    message: 'a browser write without the session’s x-csrf-token',
  },
  // What is asked for (404, 409).
  NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no route for that method and path (or a server’s 404)',
  },
  INCIDENT_NOT_FOUND: { status: 404, kind: 'config', origin: 'api', message: 'no incident with that id' },
  NOTE_NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no note with that id on the incident',
  },
  SINK_NOT_FOUND: { status: 404, kind: 'config', origin: 'api', message: 'no sink with that name' },
  USER_NOT_FOUND: { status: 404, kind: 'config', origin: 'api', message: 'no user with that name' },
  API_KEY_NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no active API key with that id',
  },
  USER_EXISTS: { status: 409, kind: 'config', origin: 'api', message: 'a user with that name exists' },
  LAST_ADMIN: {
    status: 409,
    kind: 'config',
    origin: 'api',
    message: 'the last admin cannot be removed or demoted',
  },
  NO_SIEM_CLIENT: {
    status: 409,
    kind: 'config',
    origin: 'api',
    message: 'the API has no SIEM client to read logs with',
  },
  // Try again later (429), ours (500).
  LOGIN_RATE_LIMITED: {
    status: 429,
    kind: 'transient',
    origin: 'api',
    message: 'too many failed logins for the user or address',
  },
  INTERNAL: {
    status: 500,
    kind: 'system',
    origin: 'api',
    message: 'a bug or an unexpected failure; see the log',
  },
  // A SIEM refusal the console passes on (the SIEM's own code is in the message).
  SIEM_BAD_REQUEST: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'the SIEM refused the console’s request',
    alsoStatus: [422],
  },
  SIEM_UNAUTHORIZED: {
    status: 502,
    kind: 'system',
    origin: 'api',
    message: 'the SIEM refused the connector’s token (a setting of the connector)',
  },
  SIEM_FORBIDDEN: {
    status: 502,
    kind: 'system',
    origin: 'api',
    message: 'the SIEM refused the connector’s token the rights needed',
  },
  SIEM_NOT_FOUND: { status: 404, kind: 'config', origin: 'api', message: 'the SIEM has no such object' },
  SIEM_RATE_LIMITED: { status: 429, kind: 'transient', origin: 'api', message: 'the SIEM asks to slow down' },
  SIEM_HTTP_ERROR: {
    status: 409,
    kind: 'config',
    origin: 'api',
    message: 'any other 4xx of the SIEM, with its status',
    alsoStatus: [405, 410, 413, 415],
  },
  // Playbooks over the API.
  PLAYBOOK_NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no playbook of that name (and version) is loaded',
  },
  PLAYBOOK_INVALID_INPUT: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'a run input is missing, unknown or of the wrong type',
  },
  PLAYBOOK_RUN_NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no playbook run with that id',
  },
  PLAYBOOK_RUN_STATE: {
    status: 409,
    kind: 'config',
    origin: 'api',
    message: 'the run is not in a state the action needs',
  },
  PLAYBOOK_TASK_NOT_FOUND: {
    status: 404,
    kind: 'config',
    origin: 'api',
    message: 'no manual task waits at that run and step',
  },
  PLAYBOOK_INVALID_ANSWER: {
    status: 400,
    kind: 'config',
    origin: 'api',
    message: 'a manual task’s answer does not fit its form',
  },
  PLAYBOOK_TASK_ASSIGNED: {
    status: 403,
    kind: 'config',
    origin: 'api',
    message: 'the manual task is assigned to someone else',
  },
  PLAYBOOKS_UNAVAILABLE: {
    status: 503,
    kind: 'config',
    origin: 'api',
    message: 'the connector runs without a playbook engine',
  },
  // A playbook step at run time (shown on the step; a start over the API answers 400).
  PLAYBOOK_EXPRESSION_ERROR: local('config', 'a JSONata expression failed while evaluating'),
  PLAYBOOK_EXPRESSION_BUDGET: local('config', 'an expression ran past its budget (steps, depth, time)'),
  PLAYBOOK_SECRET_MISSING: local('config', 'an http step’s secret variable is not set'),
  PLAYBOOK_STEP_INPUT: local('config', 'a step input cannot be used after rendering'),
  PLAYBOOK_STEP_INVALID: local('config', 'an update-incident change is invalid'),
  PLAYBOOK_NO_INCIDENT: local('config', 'the step needs a run on an incident'),
  PLAYBOOK_UNKNOWN_SINK: local('config', 'deliver names a sink that is not configured'),
  // A playbook that does not load (LoadError.code; each names the file, line and step).
  PLAYBOOK_READ_ERROR: loadError('the file cannot be read'),
  PLAYBOOK_YAML_SYNTAX: loadError('not YAML'),
  PLAYBOOK_SCHEMA: loadError('the document does not match docs/playbook.schema.json'),
  PLAYBOOK_EXPRESSION_SYNTAX: loadError('a JSONata expression does not parse'),
  PLAYBOOK_DUPLICATE_STEP: loadError('two steps with the same id'),
  PLAYBOOK_UNKNOWN_TARGET: loadError('next, on-error or a switch branch names no step'),
  PLAYBOOK_NEXT_IGNORED: loadError('next on a step that never follows it'),
  PLAYBOOK_UNREACHABLE_STEP: loadError('a step no path reaches'),
  PLAYBOOK_CYCLE: loadError('the steps loop'),
  PLAYBOOK_UNKNOWN_REFERENCE: loadError('a path that does not exist'),
  PLAYBOOK_STEP_NOT_BEFORE: loadError('a step output used where the step may not have run'),
  PLAYBOOK_ITEM_OUTSIDE_FOREACH: loadError('item or index outside a foreach body'),
  PLAYBOOK_UNKNOWN_PLAYBOOK: loadError('a sub-playbook that is not loaded'),
  PLAYBOOK_INPUT_MISMATCH: loadError('with names an unknown input or misses a required one'),
  PLAYBOOK_TRIGGER_REFERENCE: loadError('a trigger’s when refers to more than the incident'),
  PLAYBOOK_UNDECLARED_SECRET: loadError('a secret used but not declared by its http step'),
  PLAYBOOK_WAIT_SPEC: loadError('a wait step with neither or both of duration and until'),
  PLAYBOOK_BAD_DEFAULT: loadError('an input default of the wrong type'),
  PLAYBOOK_REQUIRED_INPUT_ON_TRIGGER: loadError('a triggered playbook with a required input without default'),
  PLAYBOOK_DUPLICATE_VERSION: loadError('two files with the same name and version'),
} as const satisfies Record<string, ErrorSpec>;

export type ConnectorErrorCode = keyof typeof CONNECTOR_ERRORS;

/** Whether `code` is in the catalogue (a code read from a body or a log). */
export const isConnectorErrorCode = (code: unknown): code is ConnectorErrorCode =>
  typeof code === 'string' && Object.hasOwn(CONNECTOR_ERRORS, code);

export interface ConnectorErrorInit {
  code: ConnectorErrorCode;
  /** Default: the catalogue's kind for the code. */
  kind?: ErrorKind;
  message: string;
  /** Default: the catalogue's status for a code of the connector's API; none for the others. */
  status?: number;
  field?: string;
  /** The server's own error code (`errorCode` of a Logz.io body, `type` suffix of a problem body). */
  remoteCode?: string;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly remoteCode: string | undefined;

  constructor(init: ConnectorErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    const spec: ErrorSpec = CONNECTOR_ERRORS[init.code];
    this.name = 'ConnectorError';
    this.code = init.code;
    this.kind = init.kind ?? spec.kind;
    this.status = init.status ?? (spec.origin === 'api' ? spec.status : undefined);
    this.field = init.field;
    this.remoteCode = init.remoteCode;
  }
}

/** A bad setting or argument; `field` names it (a config path or a flag). */
export function configError(
  field: string,
  message: string,
  code: ConnectorErrorCode = 'INVALID_CONFIG',
): ConnectorError {
  return new ConnectorError({ code, kind: 'config', field, message: `${field}: ${message}` });
}

export type TokenKind = 'security' | 'operations';

/** A call that needs a token nobody configured: says which token and how to set it. */
export class MissingTokenError extends ConnectorError {
  readonly token: TokenKind;
  constructor(token: TokenKind, what: string) {
    const flag = token === 'security' ? '--security-token' : '--operations-token';
    const env = token === 'security' ? 'SIEMLINK_SECURITY_TOKEN' : 'SIEMLINK_OPERATIONS_TOKEN';
    const key = token === 'security' ? 'securityToken' : 'operationsToken';
    const account = token === 'security' ? 'Security (SIEM)' : 'Operations (log management)';
    super({
      code: 'MISSING_TOKEN',
      kind: 'config',
      field: flag,
      message: `${what} needs the API token of the ${account} account: set ${flag}, ${env} or connection.${key} in the config file`,
    });
    this.name = 'MissingTokenError';
    this.token = token;
  }
}

/**
 * A non-2xx answer. 4xx are `config` (fix the request or the token), 429 and 5xx `transient`,
 * whatever the code's usual status in the catalogue: the received status is kept.
 */
export class HttpError extends ConnectorError {
  declare readonly code: HttpErrorCode;
  constructor(init: {
    status: number;
    message: string;
    remoteCode?: string;
    code?: HttpErrorCode;
    field?: string;
  }) {
    super({
      code: init.code ?? httpCode(init.status),
      kind: init.status === 429 || init.status >= 500 ? 'transient' : 'config',
      status: init.status,
      remoteCode: init.remoteCode,
      field: init.field,
      message: init.message,
    });
    this.name = 'HttpError';
  }
}

/** The codes a received non-2xx status maps to. */
export type HttpErrorCode =
  'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'RATE_LIMITED' | 'SERVER_ERROR' | 'HTTP_ERROR';

function httpCode(status: number): HttpErrorCode {
  if (status === 400 || status === 422) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SERVER_ERROR';
  return 'HTTP_ERROR';
}

/** The feed answered 416: the offset is older than the replay window (12 h). A gap to record. */
export class OffsetExpiredError extends ConnectorError {
  readonly offset: string | undefined;
  constructor(
    offset: string | undefined,
    message: string,
    init: { code: 'OFFSET_EXPIRED' | 'OFFSET_REJECTED'; status: number } = {
      code: 'OFFSET_EXPIRED',
      status: 416,
    },
  ) {
    super({ ...init, kind: 'transient', message });
    this.name = 'OffsetExpiredError';
    this.offset = offset;
  }
}

/**
 * The feed refused the offset itself (400 naming `offset`): a SIEM whose store was recreated
 * signs offsets with a new key, so every stored offset is refused. The position is lost just as
 * with a 416, and is handled the same way (a recorded gap, then time mode), never retried forever.
 */
export class OffsetRejectedError extends OffsetExpiredError {
  constructor(offset: string | undefined, message: string) {
    super(offset, message, { code: 'OFFSET_REJECTED', status: 400 });
    this.name = 'OffsetRejectedError';
  }
}

/**
 * A feed response that ended (or broke) before its offset context line. The events already
 * yielded from it are NOT committed: the caller retries from the offset it had before.
 */
export class FeedTruncatedError extends ConnectorError {
  readonly eventsRead: number;
  constructor(eventsRead: number, cause?: unknown) {
    super({
      code: 'FEED_TRUNCATED',
      kind: 'transient',
      message: `feed response ended after ${eventsRead} event(s) without its offset context line`,
      cause,
    });
    this.name = 'FeedTruncatedError';
    this.eventsRead = eventsRead;
  }
}

export function networkError(what: string, cause: unknown): ConnectorError {
  const c = cause as { code?: string; message?: string };
  const detail = c?.code ?? c?.message ?? 'unknown';
  // Certificate problems are settings to fix, not outages to wait out: never retried.
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(c?.code ?? '')) {
    return new ConnectorError({
      code: 'TLS_ERROR',
      kind: 'config',
      field: '--ca-file',
      message: `${what} failed: ${detail} (the server certificate is not trusted: give its CA with --ca-file, or --insecure)`,
      cause,
    });
  }
  // A refused CONNECT tunnel: the client's dispatcher gives the proxy's status as `proxyStatus`;
  // undici (an Agent passed in) as an abort whose message holds it.
  const proxyStatus =
    (cause as { proxyStatus?: number })?.proxyStatus ??
    Number(/Proxy response \((\d{3})\)/.exec(c?.message ?? '')?.[1] ?? NaN);
  if (!Number.isNaN(proxyStatus)) {
    const status = proxyStatus;
    if (status >= 400 && status < 500) {
      // 407 and the other 4xx are settings (credentials, allow-lists), so retrying cannot help.
      return new ConnectorError({
        code: 'PROXY_ERROR',
        kind: 'config',
        field: '--proxy',
        message: `${what} failed: the proxy refused the tunnel with HTTP ${status} (check --proxy and its credentials)`,
        cause,
      });
    }
    return new ConnectorError({
      code: 'NETWORK_ERROR',
      kind: 'transient',
      message: `${what} failed: the proxy answered HTTP ${status} to the tunnel request`,
      cause,
    });
  }
  return new ConnectorError({
    code: 'NETWORK_ERROR',
    kind: 'transient',
    message: `${what} failed: ${detail}`,
    cause,
  });
}

export function timeoutError(what: string, ms: number, cause?: unknown): ConnectorError {
  return new ConnectorError({
    code: 'TIMEOUT',
    kind: 'transient',
    message: `${what} timed out after ${ms} ms`,
    cause,
  });
}

export function badResponse(what: string, message: string, cause?: unknown): ConnectorError {
  return new ConnectorError({ code: 'BAD_RESPONSE', kind: 'system', message: `${what}: ${message}`, cause });
}

/** Replaces every occurrence of the given secrets in `text` (tokens must never reach messages). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** A fetch option that cannot be used; names the field and the rule. */
export function invalidFetchOption(field: string, message: string): ConnectorError {
  return new ConnectorError({
    code: 'INVALID_FETCH_OPTION',
    kind: 'config',
    field,
    message: `${field}: ${message}`,
  });
}

/** A stored cursor that does not match its schema: never silently reset (that would lose or replay). */
export function corruptCursor(source: string, message: string, cause?: unknown): ConnectorError {
  return new ConnectorError({
    code: 'CORRUPT_CURSOR',
    kind: 'system',
    field: 'cursor',
    message: `stored cursor for "${source}" is invalid (${message}); fix or delete it explicitly, it is never reset silently`,
    cause,
  });
}

/**
 * A request to the connector's own API that cannot be served. The HTTP answer is the code's status
 * in the catalogue unless `status` says otherwise (a SIEM's status passed on, an engine refusal).
 */
export function apiError(
  code: ConnectorErrorCode,
  message: string,
  field?: string,
  status: number = CONNECTOR_ERRORS[code].status,
): ConnectorError {
  return new ConnectorError({ code, status, field, message });
}

/** No credentials, or credentials that match nothing: the same answer either way. */
export function unauthenticated(
  message = 'log in (POST /api/auth/login) or send Authorization: Bearer <API key>',
): ConnectorError {
  return apiError('UNAUTHENTICATED', message);
}

/** Authenticated, but the role does not allow this. */
export function forbidden(role: string, needed: string): ConnectorError {
  return apiError('FORBIDDEN', `role "${role}" may not do this; it needs the "${needed}" role or higher`);
}

/** A browser write without the session's CSRF token. */
export function csrfRejected(): ConnectorError {
  return apiError(
    'CSRF_TOKEN_INVALID',
    'header x-csrf-token is missing or does not match the session',
    'header.x-csrf-token',
  );
}

/** Too many failed logins for this username or address. */
export function loginRateLimited(retryAfterSeconds: number): ConnectorError {
  return apiError('LOGIN_RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`);
}

// --- Playbook run-time errors (engine: journal, worker, service) ---

/** A playbook (name, version) that is not loaded. */
export function playbookNotFound(name: string, version?: number): ConnectorError {
  const v = version === undefined ? '' : ` version ${version}`;
  return apiError('PLAYBOOK_NOT_FOUND', `no playbook "${name}"${v} is loaded`, 'body.playbook');
}

/** A run input that is missing, unknown or of the wrong type; `field` names it. */
export function playbookInvalidInput(field: string, message: string): ConnectorError {
  return apiError('PLAYBOOK_INVALID_INPUT', `${field}: ${message}`, field);
}

/** No run with this id. */
export function playbookRunNotFound(id: string): ConnectorError {
  return apiError('PLAYBOOK_RUN_NOT_FOUND', `no playbook run with id "${id}"`, 'params.id');
}

/** A run that is not in a state the action needs (cancel an ended run, retry a running one). */
export function playbookRunState(id: string, status: string, action: string): ConnectorError {
  return apiError('PLAYBOOK_RUN_STATE', `run "${id}" is ${status}: it cannot be ${action}`, 'params.id');
}

/** No manual task waiting at this run and step. */
export function playbookTaskNotFound(runId: string, stepId: string): ConnectorError {
  return apiError(
    'PLAYBOOK_TASK_NOT_FOUND',
    `no manual task is waiting at step "${stepId}" of run "${runId}"`,
    'params.stepId',
  );
}

/** A manual task's answer that does not fit its form; `field` names the form field. */
export function playbookInvalidAnswer(field: string, message: string): ConnectorError {
  return apiError('PLAYBOOK_INVALID_ANSWER', `${field}: ${message}`, field);
}

/** Why a step failed at run time (shown on the step; also the code a test keys on). */
export function playbookStepError(code: ConnectorErrorCode, message: string): ConnectorError {
  return new ConnectorError({ code, kind: 'config', message });
}

// --- Playbook definition: loader, static checks, expressions, executor steps ---

/**
 * Codes of a playbook load error (`LoadError.code`): one per rule, stable, so tests, the CLI and
 * the API key on them. Every load error also names the file, the line and the step.
 */
export const PLAYBOOK_LOAD_CODES = {
  /** The file cannot be read. */
  read: 'PLAYBOOK_READ_ERROR',
  /** Not YAML. */
  yaml: 'PLAYBOOK_YAML_SYNTAX',
  /** The document does not match the playbook schema (docs/playbook.schema.json). */
  schema: 'PLAYBOOK_SCHEMA',
  /** A JSONata expression that does not parse. */
  expression: 'PLAYBOOK_EXPRESSION_SYNTAX',
  duplicateStep: 'PLAYBOOK_DUPLICATE_STEP',
  /** `next`, `on-error`, a switch case or default naming no step. */
  unknownTarget: 'PLAYBOOK_UNKNOWN_TARGET',
  /** `next` on a step that never follows it (switch, end, fail). */
  nextIgnored: 'PLAYBOOK_NEXT_IGNORED',
  unreachable: 'PLAYBOOK_UNREACHABLE_STEP',
  cycle: 'PLAYBOOK_CYCLE',
  /** A path that does not exist (incident field, input, step output field, scope root). */
  unknownReference: 'PLAYBOOK_UNKNOWN_REFERENCE',
  /** `steps.<id>.output` of a step that does not always run (and succeed) before this one. */
  stepNotBefore: 'PLAYBOOK_STEP_NOT_BEFORE',
  /** `item` / `index` outside a foreach body. */
  itemOutsideForeach: 'PLAYBOOK_ITEM_OUTSIDE_FOREACH',
  unknownPlaybook: 'PLAYBOOK_UNKNOWN_PLAYBOOK',
  /** Sub-playbook `with` or command `with` naming an unknown input/argument, or missing a required one. */
  inputMismatch: 'PLAYBOOK_INPUT_MISMATCH',
  /** A trigger `when` referencing anything but `incident`. */
  triggerReference: 'PLAYBOOK_TRIGGER_REFERENCE',
  /** `secrets.x` used but not declared in the http step's `secrets` (or outside an http step). */
  undeclaredSecret: 'PLAYBOOK_UNDECLARED_SECRET',
  /** A wait step with neither or both of duration/until. */
  waitSpec: 'PLAYBOOK_WAIT_SPEC',
  /** An input default that does not match the input's type. */
  badDefault: 'PLAYBOOK_BAD_DEFAULT',
  /** A triggered playbook with a required input that has no default: nobody can give it. */
  requiredInputOnTrigger: 'PLAYBOOK_REQUIRED_INPUT_ON_TRIGGER',
  /** Two files with the same name and version. */
  duplicateVersion: 'PLAYBOOK_DUPLICATE_VERSION',
} as const;
export type PlaybookLoadCode = (typeof PLAYBOOK_LOAD_CODES)[keyof typeof PLAYBOOK_LOAD_CODES];

/** A JSONata expression that does not parse (at run time: only for inputs that skipped the loader). */
export function expressionSyntaxError(expr: string, message: string, position?: number): ConnectorError {
  return new ConnectorError({
    code: PLAYBOOK_LOAD_CODES.expression,
    kind: 'config',
    message: `expression ${JSON.stringify(clip(expr))}: ${message}${position === undefined ? '' : ` (at character ${position})`}`,
  });
}

/** A JSONata expression that failed while evaluating (a type error, `$error()`, ...). */
export function expressionEvalError(expr: string, message: string, cause?: unknown): ConnectorError {
  return new ConnectorError({
    code: 'PLAYBOOK_EXPRESSION_ERROR',
    kind: 'config',
    message: `expression ${JSON.stringify(clip(expr))} failed: ${message}`,
    cause,
  });
}

/** An expression that ran past its budget (steps, depth, time): hostile or runaway, stopped. */
export function expressionBudgetError(expr: string, what: string): ConnectorError {
  return new ConnectorError({
    code: 'PLAYBOOK_EXPRESSION_BUDGET',
    kind: 'config',
    message: `expression ${JSON.stringify(clip(expr))} stopped: ${what}`,
  });
}

/** An http step whose secret's environment variable is not set (the name only, never a value). */
export function missingSecretError(secret: string, envVar: string): ConnectorError {
  return new ConnectorError({
    code: 'PLAYBOOK_SECRET_MISSING',
    kind: 'config',
    field: `secrets.${secret}`,
    message: `secrets.${secret}: environment variable ${envVar} is not set`,
  });
}

/** A step input that cannot be used at run time (after rendering); names the field and the rule. */
export function stepInputError(field: string, message: string): ConnectorError {
  return new ConnectorError({
    code: 'PLAYBOOK_STEP_INPUT',
    kind: 'config',
    field,
    message: `${field}: ${message}`,
  });
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

// --- Playbook API (pb-ui: the /api/playbook* routes' own refusals; the engine's are above) ---

/** A manual task assigned to someone else (only they, or an admin, answer it). */
export function playbookTaskAssigned(stepId: string, assignee: string): ConnectorError {
  return apiError(
    'PLAYBOOK_TASK_ASSIGNED',
    `step "${stepId}" is assigned to "${assignee}"; only they or an admin may answer it`,
    'params.stepId',
  );
}

/** The connector runs without a playbook engine. */
export function playbooksUnavailable(): ConnectorError {
  return apiError('PLAYBOOKS_UNAVAILABLE', 'playbooks are not enabled on this connector');
}
