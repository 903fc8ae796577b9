import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { Credentials } from '@siemlink/contracts';
import type { ConnectorConfig } from '@siemlink/connector/config.ts';
import { resolveApiUrl } from '@siemlink/connector/client/index.ts';
import { argumentError } from '../options.ts';

/** The file `serve`/`up` write into their data dir (DESIGN: public interface). */
export const CREDENTIALS_FILE = 'credentials.json';

/**
 * Which API a connector verb talks to, said on stderr by the caller. Given a URL or a region
 * (flag, env or config file), that one. Given neither, the local SIEM whose credentials file is
 * in the data dir (`--data-dir`, default ./.siemlink), with its tokens for any token not given:
 * so `siemlink search-logs` works right after `siemlink up`. With neither a target nor that file
 * it is an error: a verb never falls back silently to real Logz.io.
 */
export function resolveTarget(config: ConnectorConfig): string {
  const c = config.connection;
  if (c.apiUrl) return `target: ${resolveApiUrl(c)}`;
  if (c.region) return `target: Logz.io region ${c.region} (${resolveApiUrl(c)})`;
  const file = join(config.dataDir, CREDENTIALS_FILE);
  if (!existsSync(file)) {
    throw argumentError(
      `no target: give --api-url URL (env SIEMLINK_API_URL) for a local or self-hosted SIEM, or --region CODE (env SIEMLINK_REGION) for Logz.io; or start the local SIEM (siemlink up / serve), which writes ${file}`,
    );
  }
  let creds: Credentials;
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Value.Check(Credentials, data)) throw new Error('not a siemlink credentials file');
    creds = data;
  } catch (err) {
    throw argumentError(`${file}: ${(err as Error).message}; give --api-url or --region instead`);
  }
  c.apiUrl = creds.apiUrl;
  c.securityToken ??= creds.accounts.find((a) => a.type === 'SIEM')?.apiToken;
  c.operationsToken ??= creds.accounts.find((a) => a.type === 'LOGS')?.apiToken;
  return `target: local SIEM ${resolveApiUrl(c)} (credentials from ${file})`;
}
