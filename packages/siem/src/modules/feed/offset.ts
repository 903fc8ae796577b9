import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A feed position: every event with `seq <= seq` has been handed out, and the consumer is
 * caught up to storage time `atMs` (the age that decides 416).
 */
export interface FeedPosition {
  seq: number;
  atMs: number;
}

export interface OffsetCodec {
  encode(p: FeedPosition): string;
  /** The position, or undefined when the token is not one of ours or was garbled. */
  decode(token: string): FeedPosition | undefined;
}

const VERSION = 'v1';
const MAC_CHARS = 16;
const TOKEN = /^v1\.([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{16})$/;

/**
 * Offsets look like `v1.<seq base36>.<atMs base36>.<mac>`: opaque to clients, URL-safe, stable
 * (the same position always gives the same token, across restarts) and checked by a truncated
 * HMAC under the store's feed secret.
 */
export function createOffsetCodec(secret: Uint8Array): OffsetCodec {
  const mac = (body: string) =>
    createHmac('sha256', secret).update(body).digest('base64url').slice(0, MAC_CHARS);
  return {
    encode({ seq, atMs }) {
      const body = `${VERSION}.${seq.toString(36)}.${Math.max(0, Math.floor(atMs)).toString(36)}`;
      return `${body}.${mac(body)}`;
    },
    decode(token) {
      const m = TOKEN.exec(token.trim());
      if (!m) return undefined;
      const body = `${VERSION}.${m[1]}.${m[2]}`;
      const want = Buffer.from(mac(body));
      const got = Buffer.from(m[3]!);
      if (!timingSafeEqual(want, got)) return undefined;
      const seq = parseInt(m[1]!, 36);
      const atMs = parseInt(m[2]!, 36);
      if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(atMs)) return undefined;
      return { seq, atMs };
    },
  };
}
