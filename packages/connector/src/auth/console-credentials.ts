import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The data dir's credentials file, shared with the SIEM (which keeps keys it does not know). */
export const CREDENTIALS_FILE = 'credentials.json';

/**
 * Adds the console's first login (`console: {url, username, password}`) to DIR/credentials.json,
 * keeping what is already there, mode 0600: the password is shown once on the terminal and kept
 * only here (the store has its scrypt hash).
 */
export function writeConsoleCredentials(
  dataDir: string,
  login: { url: string | null; username: string; password: string },
): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CREDENTIALS_FILE);
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        current = parsed as Record<string, unknown>;
    } catch {
      // An unreadable file is replaced by the console part alone rather than failing the start.
    }
  }
  writeFileSync(file, JSON.stringify({ ...current, console: login }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
