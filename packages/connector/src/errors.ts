/**
 * Every error the connector raises on purpose (client, config, commands, fetching, its API). `code` is stable (callers and tests key
 * on it); `kind` says who has to act: the operator (`config`), nobody but time (`transient`), or
 * us (`system`). `status` is the HTTP status when one was received; `cause` is kept. Messages
 * never carry header values or tokens: anything that could is passed through `redact`.
 */
export type ErrorKind = 'config' | 'transient' | 'system';

export interface ConnectorErrorInit {
  code: string;
  kind: ErrorKind;
  message: string;
  status?: number;
  field?: string;
  /** The server's own error code (`errorCode` of a Logz.io body, `type` suffix of a problem body). */
  remoteCode?: string;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly remoteCode: string | undefined;

  constructor(init: ConnectorErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ConnectorError';
    this.code = init.code;
    this.kind = init.kind;
    this.status = init.status;
    this.field = init.field;
    this.remoteCode = init.remoteCode;
  }
}

/** A bad setting or argument; `field` names it (a config path or a flag). */
export function configError(field: string, message: string, code = 'INVALID_CONFIG'): ConnectorError {
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

/** A non-2xx answer. 4xx are `config` (fix the request or the token), 429 and 5xx `transient`. */
export class HttpError extends ConnectorError {
  constructor(init: { status: number; message: string; remoteCode?: string; code?: string; field?: string }) {
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

function httpCode(status: number): string {
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
  constructor(offset: string | undefined, message: string, init = { code: 'OFFSET_EXPIRED', status: 416 }) {
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
  // undici reports a refused CONNECT tunnel as an abort whose message holds the proxy's status.
  const proxy = /Proxy response \((\d{3})\)/.exec(c?.message ?? '');
  if (proxy) {
    const status = Number(proxy[1]);
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

/** A request to the connector's own API that cannot be served; `status` is the HTTP answer. */
export function apiError(status: number, code: string, message: string, field?: string): ConnectorError {
  return new ConnectorError({ code, kind: status >= 500 ? 'system' : 'config', status, field, message });
}

/** No credentials, or credentials that match nothing: the same answer either way. */
export function unauthenticated(
  message = 'log in (POST /api/auth/login) or send Authorization: Bearer <API key>',
): ConnectorError {
  return apiError(401, 'UNAUTHENTICATED', message);
}

/** Authenticated, but the role does not allow this. */
export function forbidden(role: string, needed: string): ConnectorError {
  return apiError(
    403,
    'FORBIDDEN',
    `role "${role}" may not do this; it needs the "${needed}" role or higher`,
  );
}

/** A browser write without the session's CSRF token. */
export function csrfRejected(): ConnectorError {
  return apiError(
    403,
    'CSRF_TOKEN_INVALID',
    'header x-csrf-token is missing or does not match the session',
    'header.x-csrf-token',
  );
}

/** Too many failed logins for this username or address. */
export function loginRateLimited(retryAfterSeconds: number): ConnectorError {
  return apiError(429, 'LOGIN_RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`);
}

// --- Playbook run-time errors (engine: journal, worker, service) ---

/** A playbook (name, version) that is not loaded. */
export function playbookNotFound(name: string, version?: number): ConnectorError {
  const v = version === undefined ? '' : ` version ${version}`;
  return apiError(404, 'PLAYBOOK_NOT_FOUND', `no playbook "${name}"${v} is loaded`, 'body.playbook');
}

/** A run input that is missing, unknown or of the wrong type; `field` names it. */
export function playbookInvalidInput(field: string, message: string): ConnectorError {
  return apiError(400, 'PLAYBOOK_INVALID_INPUT', `${field}: ${message}`, field);
}

/** No run with this id. */
export function playbookRunNotFound(id: string): ConnectorError {
  return apiError(404, 'PLAYBOOK_RUN_NOT_FOUND', `no playbook run with id "${id}"`, 'params.id');
}

/** A run that is not in a state the action needs (cancel an ended run, retry a running one). */
export function playbookRunState(id: string, status: string, action: string): ConnectorError {
  return apiError(409, 'PLAYBOOK_RUN_STATE', `run "${id}" is ${status}: it cannot be ${action}`, 'params.id');
}

/** No manual task waiting at this run and step. */
export function playbookTaskNotFound(runId: string, stepId: string): ConnectorError {
  return apiError(
    404,
    'PLAYBOOK_TASK_NOT_FOUND',
    `no manual task is waiting at step "${stepId}" of run "${runId}"`,
    'params.stepId',
  );
}

/** A manual task's answer that does not fit its form; `field` names the form field. */
export function playbookInvalidAnswer(field: string, message: string): ConnectorError {
  return apiError(400, 'PLAYBOOK_INVALID_ANSWER', `${field}: ${message}`, field);
}

/** Why a step failed at run time (shown on the step; also the code a test keys on). */
export function playbookStepError(code: string, message: string): ConnectorError {
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
    403,
    'PLAYBOOK_TASK_ASSIGNED',
    `step "${stepId}" is assigned to "${assignee}"; only they or an admin may answer it`,
    'params.stepId',
  );
}

/** The connector runs without a playbook engine. */
export function playbooksUnavailable(): ConnectorError {
  return apiError(503, 'PLAYBOOKS_UNAVAILABLE', 'playbooks are not enabled on this connector');
}
