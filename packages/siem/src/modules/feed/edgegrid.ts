import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Akamai EdgeGrid (`EG1-HMAC-SHA256`) as the feed accepts it. Our convention: `access_token`
 * is a SIEM account API token and the signature is made with `client_secret` = that same token;
 * `client_token` is not checked. So an unmodified EdgeGrid client works when configured with
 * host = the SIEM's host:port, access_token = client_secret = the SIEM API token.
 */
export interface EdgeGridAuth {
  clientToken: string;
  accessToken: string;
  timestamp: string;
  nonce: string;
  signature: string;
  /** The header up to and including the `;` before `signature=` (what was signed). */
  unsigned: string;
}

const SCHEME = 'EG1-HMAC-SHA256 ';
const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})\+0000$/;
/** Akamai rejects timestamps more than 30 s off. */
export const EDGEGRID_MAX_SKEW_MS = 30_000;

export function isEdgeGridHeader(header: string | undefined): header is string {
  return typeof header === 'string' && header.startsWith(SCHEME);
}

/** Parses the header; undefined when any of the five fields is missing. */
export function parseEdgeGrid(header: string): EdgeGridAuth | undefined {
  if (!isEdgeGridHeader(header)) return undefined;
  const sigAt = header.lastIndexOf('signature=');
  if (sigAt < 0) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SCHEME.length).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const get = (k: string) => fields.get(k) ?? '';
  const auth = {
    clientToken: get('client_token'),
    accessToken: get('access_token'),
    timestamp: get('timestamp'),
    nonce: get('nonce'),
    signature: get('signature'),
    unsigned: header.slice(0, sigAt),
  };
  if (!auth.clientToken || !auth.accessToken || !auth.timestamp || !auth.nonce || !auth.signature)
    return undefined;
  return auth;
}

/** `20240501T10:00:00+0000` -> epoch ms; NaN when malformed. */
export function parseEdgeGridTimestamp(ts: string): number {
  const m = TIMESTAMP.exec(ts);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

export function formatEdgeGridTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-05-01T10:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}+0000`;
}

export interface SignedRequest {
  method: string;
  scheme: string;
  host: string;
  /** Path and raw query exactly as sent. */
  pathAndQuery: string;
}

/** The EdgeGrid signature of a body-less request (no signed headers, empty content hash). */
export function edgeGridSignature(
  req: SignedRequest,
  unsigned: string,
  timestamp: string,
  clientSecret: string,
) {
  const signingKey = createHmac('sha256', clientSecret).update(timestamp).digest('base64');
  const data = [req.method.toUpperCase(), req.scheme, req.host, req.pathAndQuery, '', '', unsigned].join(
    '\t',
  );
  return createHmac('sha256', signingKey).update(data).digest('base64');
}

/** Builds a header the way EdgeGrid clients do (tests, bench and the connector's docs use it). */
export function signEdgeGrid(
  req: SignedRequest,
  creds: { clientToken: string; accessToken: string; clientSecret: string },
  opts: { nowMs: number; nonce: string },
): string {
  const timestamp = formatEdgeGridTimestamp(opts.nowMs);
  const unsigned = `${SCHEME}client_token=${creds.clientToken};access_token=${creds.accessToken};timestamp=${timestamp};nonce=${opts.nonce};`;
  return `${unsigned}signature=${edgeGridSignature(req, unsigned, timestamp, creds.clientSecret)}`;
}

export type EdgeGridVerdict = 'ok' | 'bad-timestamp' | 'bad-signature';

export function verifyEdgeGrid(
  auth: EdgeGridAuth,
  req: SignedRequest,
  clientSecret: string,
  nowMs: number,
): EdgeGridVerdict {
  const at = parseEdgeGridTimestamp(auth.timestamp);
  if (!Number.isFinite(at) || Math.abs(nowMs - at) > EDGEGRID_MAX_SKEW_MS) return 'bad-timestamp';
  const want = Buffer.from(edgeGridSignature(req, auth.unsigned, auth.timestamp, clientSecret));
  const got = Buffer.from(auth.signature);
  return want.length === got.length && timingSafeEqual(want, got) ? 'ok' : 'bad-signature';
}
