import type { Transport } from '../transport.ts';
import { MissingTokenError, badResponse, type TokenKind } from '../../errors.ts';

/** Which token a call uses is decided per endpoint; a missing one is a config error naming the flag. */
export interface TokenSource {
  get(kind: TokenKind, what: string): string;
}

export interface EndpointDeps {
  transport: Transport;
  tokens: TokenSource;
}

export function tokenSource(tokens: { security?: string; operations?: string }): TokenSource {
  return {
    get(kind, what) {
      const t = kind === 'security' ? tokens.security : tokens.operations;
      if (!t) throw new MissingTokenError(kind, what);
      return t;
    },
  };
}

/** Envelope check of a paged Logz.io answer: items are passed on as the server sent them. */
export function checkPaged<T>(what: string, data: unknown): T {
  const d = data as { total?: unknown; results?: unknown };
  if (!d || typeof d !== 'object' || !Array.isArray(d.results) || typeof d.total !== 'number') {
    throw badResponse(what, 'expected {total: number, results: [...]}');
  }
  return data as T;
}

/** A security event's identity: a non-empty string `alertEventId`. */
export function hasAlertEventId(e: unknown): boolean {
  const id = (e as { alertEventId?: unknown } | null)?.alertEventId;
  return typeof id === 'string' && id !== '';
}
