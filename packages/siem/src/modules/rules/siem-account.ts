import { SIEM_ACCOUNT_NAME } from '../../bootstrap.ts';
import type { SiemContext } from '../../context.ts';
import type { Account } from '../accounts/repository.ts';

/** The SIEM account bootstrap created (the one the demo and a rules file go to). */
export function bootstrapSiemAccount(ctx: SiemContext): Account | undefined {
  return ctx.accounts.getByName(SIEM_ACCOUNT_NAME) ?? ctx.accounts.list({ type: 'SIEM' })[0];
}
