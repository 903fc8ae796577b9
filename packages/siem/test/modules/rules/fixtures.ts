import type { SecurityRuleRequest } from '@siemlink/contracts';
import type { SiemContext } from '../../../src/context.ts';
import { createSqliteLogsWriter } from '../../../src/modules/logs/repository.ts';

/** A valid rule request; `patch` overrides top-level fields, `query` the queryDefinition. */
export function ruleRequest(
  patch: Partial<SecurityRuleRequest> = {},
  query: Partial<SecurityRuleRequest['subComponents'][0]['queryDefinition']> = {},
  trigger: Partial<SecurityRuleRequest['subComponents'][0]['trigger']> = {},
): SecurityRuleRequest {
  return {
    title: 'Failed logins',
    description: 'too many failed logins',
    tags: ['auth'],
    mitreTags: ['T1110'],
    searchTimeFrameMinutes: 10,
    subComponents: [
      {
        queryDefinition: {
          query: 'outcome:failure',
          groupBy: ['user'],
          aggregation: { aggregationType: 'COUNT' },
          ...query,
        },
        trigger: {
          operator: 'GREATER_THAN_OR_EQUALS',
          severityThresholdTiers: { MEDIUM: 3, HIGH: 5 },
          ...trigger,
        },
      },
    ],
    ...patch,
  };
}

/** Stores docs as shipped logs of `accountId`; `ts` is each doc's @timestamp (epoch ms). */
export function insertLogs(
  ctx: SiemContext,
  accountId: number,
  docs: { ts: number; [k: string]: unknown }[],
): number[] {
  const writer = createSqliteLogsWriter(ctx.store);
  const seqs: number[] = [];
  for (const { ts, ...rest } of docs) {
    const doc = { '@timestamp': new Date(ts).toISOString(), type: 'test', ...rest };
    const r = writer.insert(accountId, [{ ts, type: 'test', doc: JSON.stringify(doc) }], ctx.clock.now());
    seqs.push(r.first);
  }
  return seqs;
}
