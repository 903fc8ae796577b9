import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { SiemClient } from './types.ts';
import { createDispatcher, type HttpDispatcher } from './dispatcher.ts';
import { resolveApiUrl } from './regions.ts';
import { createTransport, DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport.ts';
import { tokenSource } from './endpoints/deps.ts';
import {
  iterateEventLogs,
  iterateSecurityEvents,
  searchEventLogs,
  searchSecurityEvents,
} from './endpoints/security-events.ts';
import { searchLogs } from './endpoints/search.ts';
import { searchRules, setRuleEnabled } from './endpoints/rules.ts';
import { createSiemAccount, whoami } from './endpoints/accounts.ts';
import { feed, feedBody } from './endpoints/feed.ts';
import { listSecurityConfigurations } from './endpoints/configurations.ts';
import { configError } from '../errors.ts';

export * from './types.ts';
export * from '../errors.ts';
export { REGIONS, resolveApiUrl, regionApiUrl, type Region } from './regions.ts';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, backoffDelay, type RetryPolicy } from './transport.ts';
export { readFeed, DEFAULT_MAX_LINE_BYTES } from './feed-reader.ts';
export { followFeed, type FollowFeedOptions, type FeedBatch, type FeedGap } from './feed-follow.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  /** Custom API base URL (local SIEM, gateway); wins over `region`. */
  apiUrl?: string;
  /** Logz.io region code: us, au, ca, eu, nl, uk, wa. Default us. */
  region?: string;
  securityToken?: string;
  operationsToken?: string;
  /** Per attempt; also the idle limit while streaming the feed. Default 30 s. */
  timeoutMs?: number;
  proxyUrl?: string;
  caFile?: string;
  insecure?: boolean;
  retry?: Partial<RetryPolicy>;
  maxFeedLineBytes?: number;
  userAgent?: string;
  /** Jitter source (tests). */
  random?: () => number;
}

export interface OutboundSettings {
  dispatcher: HttpDispatcher;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** A SiemClient that also says where it points and can release its connections. */
export interface SiemlinkClient extends SiemClient {
  readonly apiUrl: string;
  /** Which tokens are configured (never their values). */
  readonly tokens: { security: boolean; operations: boolean };
  /**
   * The client's connection settings (proxy, CA, TLS verification, timeout, retry policy) for
   * other outgoing calls, so a playbook's `http` step goes out the way the Logz.io client does.
   */
  readonly outbound: OutboundSettings;
  close(): Promise<void>;
}

/**
 * Builds the client for a Logz.io region or a custom API URL. Config errors (unknown region,
 * bad URL, unreadable CA file) throw here; a missing token throws only when a call needs it.
 */
export function createSiemClient(opts: ClientOptions, ctx: { logger: Logger; clock: Clock }): SiemlinkClient {
  const apiUrl = resolveApiUrl(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw configError('timeoutMs', `must be a positive integer (milliseconds), got ${timeoutMs}`);
  }
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw configError('retry.maxAttempts', `must be an integer >= 1, got ${retry.maxAttempts}`);
  }
  const logger = ctx.logger.child({ component: 'siem-client' });
  const dispatcher = createDispatcher(
    { proxyUrl: opts.proxyUrl, caFile: opts.caFile, insecure: opts.insecure },
    logger,
  );
  const secrets = [opts.securityToken, opts.operationsToken, proxyPassword(opts.proxyUrl)].filter(
    (s): s is string => !!s,
  );
  const transport = createTransport({
    baseUrl: apiUrl,
    dispatcher,
    clock: ctx.clock,
    logger,
    timeoutMs,
    retry,
    secrets,
    userAgent: opts.userAgent,
    random: opts.random,
  });
  const deps = {
    transport,
    tokens: tokenSource({ security: opts.securityToken, operations: opts.operationsToken }),
  };
  return {
    apiUrl,
    tokens: { security: !!opts.securityToken, operations: !!opts.operationsToken },
    outbound: { dispatcher, timeoutMs, retry },
    searchSecurityEvents: (req, o) => searchSecurityEvents(deps, req, o),
    iterateSecurityEvents: (req, o) => iterateSecurityEvents(deps, req, o),
    searchEventLogs: (req, o) => searchEventLogs(deps, req, o),
    iterateEventLogs: (id, size, pageSize, o) => iterateEventLogs(deps, id, size, pageSize, o),
    searchLogs: (body, o) => searchLogs(deps, body, o),
    searchRules: (req, o) => searchRules(deps, req, o),
    setRuleEnabled: (id, enabled, o) => setRuleEnabled(deps, id, enabled, o),
    createSiemAccount: (req, o) => createSiemAccount(deps, req, o),
    whoami: (kind, o) => whoami(deps, kind, o),
    listSecurityConfigurations: (o) => listSecurityConfigurations(deps, o),
    feed: (req, o) => feed(deps, req, { ...o, maxLineBytes: opts.maxFeedLineBytes }),
    feedBody: (req, o) => feedBody(deps, req, { ...o, maxLineBytes: opts.maxFeedLineBytes }),
    close: () => dispatcher.close(),
  };
}

function proxyPassword(proxyUrl: string | undefined): string | undefined {
  try {
    return proxyUrl ? decodeURIComponent(new URL(proxyUrl).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}
