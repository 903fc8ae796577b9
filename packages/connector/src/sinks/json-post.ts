import type { Agent } from 'undici';

/** A JSON API's answer as the sinks read it: status, headers (Retry-After) and the body text. */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * POSTs JSON to `base`'s origin under `prefix` with fixed headers (the API sinks: XSOAR,
 * TheHive). Retries are the outbox's, so this makes exactly one request.
 */
export function jsonPoster(agent: Agent, base: URL, prefix: string, headers: Record<string, string>) {
  return async (path: string, body: unknown, signal: AbortSignal): Promise<JsonAnswer> => {
    const res = await agent.request({
      origin: base.origin,
      path: prefix + path,
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };
}
