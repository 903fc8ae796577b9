import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A feed position: every event with `seq <= seq` has been handed out, and the consumer is
 * caught up to storage time `atMs` (the age that decides 416).
 */
export interface FeedPosition {
  seq: number;
  atMs: number;
}

/**
 * Both take the response's configuration ids: a token is valid only for the set it was issued
 * for (in any order). Seqs are shared by every configuration, so an offset reused for another
 * set would silently skip that set's earlier events.
 */
export interface OffsetCodec {
  encode(p: FeedPosition, configIds: readonly number[]): string;
  /** The position, or undefined when the token is not one of ours, was garbled, or is another set's. */
  decode(token: string, configIds: readonly number[]): FeedPosition | undefined;
}

const VERSION = 'v1';
const MAC_CHARS = 16;
const TOKEN = /^v1\.([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{16})$/;

/**
 * Offsets look like `v1.<seq base36>.<atMs base36>.<mac>`: opaque to clients, URL-safe, stable
 * (the same position and configuration set always give the same token, across restarts) and
 * checked by a truncated HMAC under the store's feed secret over the body and the sorted set.
 */
export function createOffsetCodec(secret: Uint8Array): OffsetCodec {
  const mac = (body: string, configIds: readonly number[]) =>
    createHmac('sha256', secret)
      .update(`${body}|${[...new Set(configIds)].sort((a, b) => a - b).join(';')}`)
      .digest('base64url')
      .slice(0, MAC_CHARS);
  return {
    encode({ seq, atMs }, configIds) {
      const body = `${VERSION}.${seq.toString(36)}.${Math.max(0, Math.floor(atMs)).toString(36)}`;
      return `${body}.${mac(body, configIds)}`;
    },
    decode(token, configIds) {
      const m = TOKEN.exec(token.trim());
      if (!m) return undefined;
      const body = `${VERSION}.${m[1]}.${m[2]}`;
      const want = Buffer.from(mac(body, configIds));
      const got = Buffer.from(m[3]!);
      if (!timingSafeEqual(want, got)) return undefined;
      const seq = parseInt(m[1]!, 36);
      const atMs = parseInt(m[2]!, 36);
      if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(atMs)) return undefined;
      return { seq, atMs };
    },
  };
}
