import { createHash, randomBytes } from 'node:crypto';

/** Session ids and API keys are random with 256 bits: a plain SHA-256 is enough to store them. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** `slk_<id>_<secret>`: the id names the key in lists and revocations; only the hash of the whole is stored. */
export function newApiKey(): { id: string; key: string } {
  const id = randomBytes(6).toString('hex');
  return { id, key: `slk_${id}_${randomToken()}` };
}
