import type { SiemContext } from '../context.ts';

/** Demo data: history backfill, then a steady stream of logs until `signal` aborts. (Not built yet.) */
export async function runDemo(_ctx: SiemContext, _signal: AbortSignal): Promise<void> {}
