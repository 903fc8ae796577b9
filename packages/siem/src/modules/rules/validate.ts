import { SEVERITIES, severityRank, type SecurityRuleRequest, type Severity } from '@siemlink/contracts';
import { badRequest, SiemError } from '../../errors.ts';
import { checkFieldName, parseLucene } from '../../lucene/index.ts';
import { CronError, nextCronTime, parseCron } from './cron.ts';
import { compileFilters, FilterError } from './filters.ts';
import type { RuleDefinition } from './repository.ts';

const NEEDS_FIELD = new Set(['UNIQUE_COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

export interface CheckedRule {
  definition: RuleDefinition;
  maxSeverityRank: number;
}

/**
 * The checks a schema cannot express, each a 400 naming the field (`prefix` is `body` for HTTP
 * and `rules[3]` for a rules file): one sub-component, valid Lucene and filters, an aggregation
 * field where one is needed, severity tiers that are severities, a cron that parses and fires.
 * Returns the stored definition (without configId and enabled) and its highest tier. `now`
 * (epoch ms) is when the cron must still fire after.
 */
export function checkRuleRequest(req: SecurityRuleRequest, prefix: string, now: number): CheckedRule {
  if (req.subComponents.length > 1) {
    throw badRequest(
      `${prefix}.subComponents`,
      `only one sub-component per rule is supported (got ${req.subComponents.length}); correlated rules are not`,
    );
  }
  const sub = req.subComponents[0]!;
  const at = `${prefix}.subComponents.0`;
  const q = sub.queryDefinition;
  try {
    parseLucene(q.query, { now });
  } catch (err) {
    const why = err instanceof SiemError ? err.message.replace(/^query: /, '') : (err as Error).message;
    // A limit keeps its own code, so a client can tell "too much work" from "bad syntax".
    const code =
      err instanceof SiemError && err.code === 'QUERY_LIMIT_EXCEEDED' ? err.code : 'INVALID_LUCENE';
    throw badRequest(`${at}.queryDefinition.query`, `invalid Lucene query: ${why}`, code);
  }
  // Group-by and aggregation fields are walked on every matching log: the query's field limits.
  (q.groupBy ?? []).forEach((f, i) => checkFieldName(f, `${at}.queryDefinition.groupBy.${i}`));
  if (q.aggregation?.fieldToAggregateOn) {
    checkFieldName(q.aggregation.fieldToAggregateOn, `${at}.queryDefinition.aggregation.fieldToAggregateOn`);
  }
  try {
    compileFilters(q.filters);
  } catch (err) {
    if (err instanceof FilterError) {
      throw badRequest(`${at}.queryDefinition.${err.path}`, err.message.slice(err.path.length + 2));
    }
    throw err;
  }
  const agg = q.aggregation;
  if (agg) {
    if (agg.aggregationType === 'PERCENTAGE' || agg.aggregationType === 'PERCENTILE') {
      throw badRequest(
        `${at}.queryDefinition.aggregation.aggregationType`,
        `${agg.aggregationType} is not supported; use COUNT, UNIQUE_COUNT, SUM, MIN, MAX, AVG or NONE`,
      );
    }
    if (NEEDS_FIELD.has(agg.aggregationType) && !agg.fieldToAggregateOn) {
      throw badRequest(
        `${at}.queryDefinition.aggregation.fieldToAggregateOn`,
        `is required for ${agg.aggregationType}`,
      );
    }
  }
  if (q.shouldQueryOnAllAccounts === false && (q.accountIdsToQueryOn ?? []).length === 0) {
    throw badRequest(
      `${at}.queryDefinition.accountIdsToQueryOn`,
      'must list at least one account when shouldQueryOnAllAccounts is false',
    );
  }
  let maxSeverityRank = -1;
  for (const [key, threshold] of Object.entries(sub.trigger.severityThresholdTiers)) {
    if (!(SEVERITIES as readonly string[]).includes(key)) {
      throw badRequest(
        `${at}.trigger.severityThresholdTiers.${key}`,
        `unknown severity; use ${SEVERITIES.join(', ')}`,
      );
    }
    if (!Number.isFinite(threshold)) {
      throw badRequest(`${at}.trigger.severityThresholdTiers.${key}`, 'threshold must be a finite number');
    }
    maxSeverityRank = Math.max(maxSeverityRank, severityRank(key as Severity));
  }
  if (req.schedule) {
    const field = `${prefix}.schedule`;
    try {
      const cron = parseCron(req.schedule.cronExpression, req.schedule.timezone ?? 'UTC');
      if (nextCronTime(cron, now) === null) throw new CronError('never fires');
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      const which = /timezone/.test(err.message) ? 'timezone' : 'cronExpression';
      throw badRequest(`${field}.${which}`, err.message, 'INVALID_SCHEDULE');
    }
  }
  const { configId: _c, enabled: _e, ...definition } = req;
  return { definition, maxSeverityRank };
}
