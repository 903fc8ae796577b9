import type { SiemContext } from '../../context.ts';
import { loadRulesFile } from './file.ts';
import { createRulesService } from './service.ts';
import { bootstrapSiemAccount } from './siem-account.ts';

/**
 * Loads a rules file (see loadRulesFile) into a SIEM account (default: the bootstrap one),
 * skipping titles its target configuration already has. For `siemlink serve --rules FILE`.
 */
export function installRulesFile(
  ctx: SiemContext,
  path: string,
  account = bootstrapSiemAccount(ctx),
): number {
  if (!account) return 0;
  const rules = loadRulesFile(path, ctx.clock.now());
  return createRulesService(ctx).install(account, rules, 'rules').length;
}
