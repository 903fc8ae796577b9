/**
 * Errors of incident fetching. Stable `code`, a `kind` (config | transient | system), the
 * offending `field` when there is one, `cause` kept. Messages never carry tokens.
 */
export type FetchErrorKind = 'config' | 'transient' | 'system';

export class FetchError extends Error {
  readonly code: string;
  readonly kind: FetchErrorKind;
  readonly field: string | undefined;

  constructor(init: {
    code: string;
    kind: FetchErrorKind;
    message: string;
    field?: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'FetchError';
    this.code = init.code;
    this.kind = init.kind;
    this.field = init.field;
  }
}

/** A fetch option that cannot be used; names the field and the rule. */
export function invalidFetchOption(field: string, message: string): FetchError {
  return new FetchError({
    code: 'INVALID_FETCH_OPTION',
    kind: 'config',
    field,
    message: `${field}: ${message}`,
  });
}

/** A stored cursor that does not match its schema: never silently reset (that would lose or replay). */
export function corruptCursor(source: string, message: string, cause?: unknown): FetchError {
  return new FetchError({
    code: 'CORRUPT_CURSOR',
    kind: 'system',
    field: 'cursor',
    message: `stored cursor for "${source}" is invalid (${message}); fix or delete it explicitly, it is never reset silently`,
    cause,
  });
}
