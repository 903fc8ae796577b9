import { Type } from '@sinclair/typebox';
import type { TokenKind } from '../errors.ts';
import { MissingTokenError } from '../errors.ts';
import { defineCommand, type CommandDeps } from './define.ts';

export interface TokenCheck {
  token: TokenKind;
  status: 'ok' | 'not set' | 'failed';
  account?: { accountName: string; accountId: number };
  /** One line: "OK (account x 1)", "not set", or why it failed. */
  detail: string;
}

export interface TestResult {
  /** Every configured token works, and at least one is configured. */
  ok: boolean;
  checks: TokenCheck[];
}

/**
 * `test`: checks each token on its own (whoami, then one cheap call where it belongs), so an
 * instance with only one of the two tokens passes. Never throws for a failing token: says why.
 */
export const testCommand = defineCommand({
  name: 'test',
  description: 'check each configured token: which works and why not',
  args: Type.Object({}),
  async run(_args, deps): Promise<TestResult> {
    const checks = [await check('security', deps), await check('operations', deps)];
    const ok = checks.every((c) => c.status !== 'failed') && checks.some((c) => c.status === 'ok');
    return { ok, checks };
  },
});

async function check(token: TokenKind, deps: CommandDeps): Promise<TokenCheck> {
  const o = { signal: deps.signal };
  try {
    const who = await deps.client.whoami(token, o);
    if (token === 'security') {
      await deps.client.searchSecurityEvents({ pagination: { pageNumber: 1, pageSize: 1 } }, o);
    } else {
      await deps.client.searchLogs({ query: { query_string: { query: '*' } }, size: 1 }, o);
    }
    return { token, status: 'ok', account: who, detail: `OK (account ${who.accountName} ${who.accountId})` };
  } catch (err) {
    if (err instanceof MissingTokenError) return { token, status: 'not set', detail: 'not set' };
    if (deps.signal?.aborted) throw err;
    const e = err as { status?: number; code?: string; message?: string };
    return {
      token,
      status: 'failed',
      detail: `${e.status ?? e.code ?? 'error'}: ${e.message ?? String(err)}`,
    };
  }
}
