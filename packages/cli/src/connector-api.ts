import { argumentError } from './options.ts';
import type { ApiFlags } from './verbs/api-options.ts';

export type { ApiFlags };

/**
 * A small client of the connector's API with an API key: every change it makes is on the
 * incident's timeline under the key's name. An error answer becomes `[errorCode] message`.
 */
export function connectorApi(flags: ApiFlags) {
  const base = (flags.url ?? process.env.SIEMLINK_CONNECTOR_URL ?? 'http://127.0.0.1:3000').replace(
    /\/+$/,
    '',
  );
  const key = flags.apiKey ?? process.env.SIEMLINK_API_KEY;
  if (!key)
    throw argumentError(
      'an API key is needed: --api-key or SIEMLINK_API_KEY (siemlink api-keys create --name cli --role analyst)',
    );
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw Object.assign(
        new Error(`cannot reach the connector API at ${base} (${(err as Error).message})`),
        {
          code: 'NETWORK_ERROR',
        },
      );
    }
    const text = await res.text();
    const data = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const e = (data ?? {}) as { errorCode?: string; message?: string };
      throw Object.assign(new Error(e.message ?? `HTTP ${res.status}`), {
        code: e.errorCode ?? `HTTP_${res.status}`,
      });
    }
    return data as T;
  };
}
