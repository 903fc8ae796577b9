import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens are random, shown once, and stored only as SHA-256 hex. */
export function generateToken(): string {
  const h = randomBytes(16).toString('hex');
  // Logz.io tokens look like UUIDs; keep the shape so UIs and validators that expect it cope.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
