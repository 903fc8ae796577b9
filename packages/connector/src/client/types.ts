import type {
  CreateSiemAccountRequest,
  EventLogsSearchRequest,
  EventLogsSearchResponse,
  FeedContext,
  FeedEvent,
  SecurityEvent,
  SecurityEventSearchRequest,
  SecurityEventSearchResponse,
  SecurityConfigurationList,
  SecurityRuleResponse,
  SecurityRuleSearchRequest,
  SecurityRuleSearchResponse,
  SiemAccount,
  WhoAmI,
} from '@siemlink/contracts';

/**
 * What the integration needs from a Logz.io-compatible API (real regions or the local SIEM).
 * Retries, timeouts and Retry-After live inside the implementation (the transport), never in
 * callers. Every call takes an AbortSignal; paging and streaming calls are async iterators.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface FeedRequest {
  /** One or more security configuration ids; joined with ';' on the wire. */
  configIds: (string | number)[];
  offset?: string;
  from?: number;
  to?: number;
  limit?: number;
}

/** One item of a feed response: the events, then exactly one context (absent only if cut). */
export type FeedItem = { kind: 'event'; event: FeedEvent } | { kind: 'context'; context: FeedContext };

/** A feed response's body as it streams, and the line limit its reader must keep. */
export interface FeedBody {
  body: AsyncIterable<Uint8Array>;
  maxLineBytes?: number;
}

/** `{created, apiToken}`: the new SIEM account and its API token when the server returned one. */
export interface CreatedSiemAccount {
  account: SiemAccount;
  apiToken?: string;
}

export interface SiemClient {
  /** One page of `POST /v2/security/rules/events/search` (Security token). */
  searchSecurityEvents(
    req: SecurityEventSearchRequest,
    opts?: CallOptions,
  ): Promise<SecurityEventSearchResponse>;
  /** Every page of a security-event search, page after page, until a short or empty page. */
  iterateSecurityEvents(req: SecurityEventSearchRequest, opts?: CallOptions): AsyncIterable<SecurityEvent>;
  /** One page of `POST /v2/security/rules/events/logs/search` (Security token). */
  searchEventLogs(req: EventLogsSearchRequest, opts?: CallOptions): Promise<EventLogsSearchResponse>;
  /** Logs behind one event, up to `size` of them, paging by `pageSize`. */
  iterateEventLogs(
    alertEventId: string,
    size: number,
    pageSize: number,
    opts?: CallOptions,
  ): AsyncIterable<Record<string, unknown>>;
  /** `POST /v1/search` (Operations token); the body is passed through as ES DSL. */
  searchLogs(body: Record<string, unknown>, opts?: CallOptions): Promise<SearchLogsResponse>;
  /** One page of `POST /v2/security/rules/search` (Security token). */
  searchRules(req: SecurityRuleSearchRequest, opts?: CallOptions): Promise<SecurityRuleSearchResponse>;
  /** `POST /v2/security/rules/{id}/enable` or `/disable` (Security token). */
  setRuleEnabled(id: number, enabled: boolean, opts?: CallOptions): Promise<SecurityRuleResponse>;
  /** `POST /v2/account-management/siem` (main Operations account token). */
  createSiemAccount(req: CreateSiemAccountRequest, opts?: CallOptions): Promise<CreatedSiemAccount>;
  /** `GET /v2/whoami` with the given token kind. */
  whoami(token: 'security' | 'operations', opts?: CallOptions): Promise<WhoAmI>;
  /** `GET /v2/security/configurations` (Security token; a siemlink extension): ids for the feed. */
  listSecurityConfigurations(opts?: CallOptions): Promise<SecurityConfigurationList>;
  /**
   * `GET /siem/v1/configs/{ids}` streamed: yields each event as it is parsed, then the context
   * line. A response cut before its context line throws a `FeedTruncatedError` after yielding
   * what it had (callers must not move their offset past the last context they saw).
   */
  feed(req: FeedRequest, opts?: CallOptions): AsyncIterable<FeedItem>;
  /** The same request, its body unparsed: 416/400 as `feed` throws them, when asked. */
  feedBody(req: FeedRequest, opts?: CallOptions): Promise<FeedBody>;
}

export interface SearchLogsResponse {
  hits: { total: number; hits: { _id: string; _source: Record<string, unknown>; sort?: unknown[] }[] };
  [key: string]: unknown;
}
