import {
  createTransport,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type TransportRequest,
} from '../../client/transport.ts';
import type { HttpDispatcher } from '../../client/dispatcher.ts';
import { missingSecretError, stepInputError } from '../../errors.ts';
import type { Step } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';

type HttpStep = Extract<Step, { kind: 'http' }>;

export interface HttpExecutorOptions {
  /** Dispatcher (proxy, TLS): the client's (`client.outbound`); default: undici's global one. */
  dispatcher?: HttpDispatcher;
  /** Retries happen in the client transport only, under this policy. */
  retry?: RetryPolicy;
  /** Budget of one attempt; the step's own `timeout` bounds the whole step through its signal. */
  timeoutMs?: number;
  /** A response body larger than this fails the step (outputs are stored in the journal). */
  maxResponseBytes?: number;
  /** Jitter source of the retry backoff; injectable for tests. */
  random?: () => number;
}

export const REDACTED = '[redacted]';

/** undici's global dispatcher (same `request`), imported only when a step runs without one. */
async function defaultDispatcher(): Promise<HttpDispatcher> {
  const { getGlobalDispatcher } = await import('undici');
  return getGlobalDispatcher() as unknown as HttpDispatcher;
}

/**
 * `http`: one request through the client transport (its retry policy, Retry-After, timeouts).
 * Every attempt carries `Idempotency-Key: runId:stepId:item:attempt`, so a receiver can drop the
 * repeat of a request whose answer was lost. Secrets come from the environment variables the
 * step declares; the input kept in the journal has their values replaced by `[redacted]`, and
 * error messages and logs never carry them. A non-2xx answer fails the step, naming the status.
 */
export function createHttpExecutor(opts: HttpExecutorOptions = {}): StepExecutor<HttpStep> {
  const maxBytes = opts.maxResponseBytes ?? 1024 * 1024;
  return {
    kind: 'http',
    async execute(step, ctx) {
      const secrets: Record<string, string> = {};
      for (const [name, envVar] of Object.entries(step.secrets ?? {})) {
        const value = ctx.env[envVar];
        if (value === undefined || value === '') throw missingSecretError(name, envVar);
        secrets[name] = value;
      }
      const secretValues = Object.values(secrets);
      const rendered = (await ctx.render(
        { url: step.url, headers: step.headers ?? {}, body: step.body },
        secrets,
      )) as { url: unknown; headers: Record<string, unknown>; body: unknown };
      const method = (step.method ?? 'POST') as TransportRequest['method'];
      const input = redactDeep({ method, ...rendered }, secretValues);

      if (typeof rendered.url !== 'string') throw stepInputError('url', 'must render to a string');
      let url: URL;
      try {
        url = new URL(rendered.url);
      } catch {
        throw stepInputError(
          'url',
          `${JSON.stringify(redactDeep(rendered.url, secretValues))} is not an absolute URL`,
        );
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw stepInputError('url', `must be http or https (got ${url.protocol})`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(rendered.headers)) {
        if (v === undefined || v === null) continue;
        headers[k.toLowerCase()] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      headers['idempotency-key'] = ctx.idempotencyKey;

      const transport = createTransport({
        baseUrl: url.origin,
        dispatcher: opts.dispatcher ?? (await defaultDispatcher()),
        clock: ctx.clock,
        logger: ctx.logger,
        timeoutMs: opts.timeoutMs ?? 30_000,
        retry: opts.retry ?? DEFAULT_RETRY_POLICY,
        secrets: secretValues,
        userAgent: 'siemlink-playbook/0.1',
        random: opts.random,
      });
      const res = await transport.stream({
        method,
        path: url.pathname + url.search,
        ...(typeof rendered.body === 'string'
          ? { bodyText: rendered.body }
          : rendered.body !== undefined && method !== 'GET'
            ? { body: rendered.body }
            : {}),
        headers,
        signal: ctx.signal,
        // The Idempotency-Key makes a repeat safe for the receivers that honour it.
        idempotent: true,
      });
      const text = await readCapped(res.body, maxBytes);
      const type = String(res.headers['content-type'] ?? '');
      let body: unknown = text;
      if (/\bjson\b/i.test(type) && text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          // Said JSON, is not: keep the text, the step still answered.
        }
      }
      const outHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) outHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      return {
        input,
        output: { status: res.status, headers: outHeaders, body: redactDeep(body, secretValues) },
      };
    },
  };
}

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown }, max: number) {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw stepInputError('response', `body is larger than ${max} bytes`);
    }
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A copy with every secret value in every string replaced by `[redacted]`. */
export function redactDeep(v: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return v;
  if (typeof v === 'string') {
    let s = v;
    for (const secret of secrets) if (secret) s = s.split(secret).join(REDACTED);
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, secrets));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, secrets)]));
  return v;
}
