import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { Credentials } from '@siemlink/contracts';
import type { SiemContext } from './context.ts';
import { generateToken } from './modules/accounts/tokens.ts';

export const CREDENTIALS_FILE = 'credentials.json';
export const MAIN_ACCOUNT_NAME = 'siemlink-main';
export const SIEM_ACCOUNT_NAME = 'siemlink-security';

/**
 * On first start (no accounts yet) creates the main logs account and a SIEM account scanning
 * it, each with an API token (the logs account also a shipping token), and writes
 * `credentials.json` (mode 0600). Tokens are shown only there: the store keeps hashes. Later
 * starts only refresh the URLs in that file.
 */
export function bootstrapAccounts(ctx: SiemContext): Credentials {
  const file = join(ctx.config.dataDir, CREDENTIALS_FILE);
  mkdirSync(ctx.config.dataDir, { recursive: true });
  if (ctx.accounts.count() > 0) {
    if (existsSync(file)) {
      const creds = JSON.parse(readFileSync(file, 'utf8')) as Credentials;
      const updated = { ...creds, apiUrl: ctx.urls.api, listenerUrl: ctx.urls.listener };
      writeFileSync(file, JSON.stringify(updated, null, 2) + '\n', { mode: 0o600 });
      return updated;
    }
    return { apiUrl: ctx.urls.api, listenerUrl: ctx.urls.listener, accounts: [] };
  }
  const preset = ctx.config.presetTokens;
  const logsApiToken = preset.logsApiToken ?? generateToken();
  const shippingToken = preset.shippingToken ?? generateToken();
  const siemApiToken = preset.siemApiToken ?? generateToken();
  const now = ctx.clock.now();
  const main = ctx.accounts.create(
    { name: MAIN_ACCOUNT_NAME, type: 'LOGS', email: 'admin@siemlink.local', isMain: true, createdAt: now },
    [
      { kind: 'API', token: logsApiToken },
      { kind: 'SHIPPING', token: shippingToken },
    ],
  );
  const siem = ctx.accounts.create(
    {
      name: SIEM_ACCOUNT_NAME,
      type: 'SIEM',
      email: 'secops@siemlink.local',
      ownerId: main.id,
      accountsToScan: [main.id],
      createdAt: now,
    },
    [{ kind: 'API', token: siemApiToken }],
  );
  const creds: Credentials = {
    apiUrl: ctx.urls.api,
    listenerUrl: ctx.urls.listener,
    accounts: [
      { accountId: main.id, accountName: main.name, type: 'LOGS', apiToken: logsApiToken, shippingToken },
      { accountId: siem.id, accountName: siem.name, type: 'SIEM', apiToken: siemApiToken },
    ],
  };
  if (!Value.Check(Credentials, creds)) throw new Error('bootstrap produced invalid credentials');
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}
