import type { TriggerOperator } from '@siemlink/contracts';
import type { RuleDefinition } from '../repository.ts';

const AGGREGATION_TEXT: Record<string, string> = {
  COUNT: 'Count',
  NONE: 'Count',
  UNIQUE_COUNT: 'Unique count',
  SUM: 'Sum',
  MIN: 'Min',
  MAX: 'Max',
  AVG: 'Average',
};

/**
 * The rule's condition as text, in Logz.io's words, e.g. `Alert if query '*' results
 * GREATER_THAN_OR_EQUALS 5.00 in 10 minutes. Count on Group By '[user, src_ip]'`.
 */
export function alertSummary(d: RuleDefinition, op: TriggerOperator, threshold: number): string {
  const q = d.subComponents[0]!.queryDefinition;
  const agg = q.aggregation?.aggregationType ?? 'COUNT';
  let what = AGGREGATION_TEXT[agg] ?? 'Count';
  if (agg !== 'COUNT' && agg !== 'NONE' && q.aggregation?.fieldToAggregateOn) {
    what += ` of '${q.aggregation.fieldToAggregateOn}'`;
  }
  const groupBy = q.groupBy?.length ? ` on Group By '[${q.groupBy.join(', ')}]'` : '';
  return (
    `Alert if query '${q.query}' results ${op} ${threshold.toFixed(2)} in ` +
    `${d.searchTimeFrameMinutes ?? 5} minutes. ${what}${groupBy}`
  );
}
