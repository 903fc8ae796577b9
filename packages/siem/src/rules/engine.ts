import type { SiemContext } from '../context.ts';

/**
 * The rule engine's scheduler loop: runs until `signal` aborts. (Not built yet.)
 */
export async function runRuleEngine(_ctx: SiemContext, _signal: AbortSignal): Promise<void> {}
