/** An error body of the connector's API: `{errorCode, message, field?}`, with the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly field: string | undefined;
  constructor(status: number, body: { errorCode?: string; message?: string; field?: string }) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.errorCode = body.errorCode ?? 'HTTP_ERROR';
    this.field = body.field;
  }
}

/** Where the CSRF token of the current session is kept (sent on every write). */
export interface Csrf {
  token: string | null;
}
export const csrf: Csrf = { token: null };

/** Called on a 401 from a data route: the session ended, go to the login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export const CSRF_HEADER = 'x-csrf-token';

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf.token) headers[CSRF_HEADER] = csrf.token;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: opts.signal,
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text.slice(0, 200) };
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    throw new ApiError(res.status, (data ?? {}) as { errorCode?: string; message?: string; field?: string });
  }
  return data as T;
}

/** `?a=1&b=2` from the set values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
