import { Type, type Static } from '@sinclair/typebox';
import { Pagination, PaginationRequest, Severity } from './common.ts';

/**
 * Security rules (`/v2/security/rules`) and security configurations (named groups of rules).
 * Shapes follow the Logz.io SecurityRuleRequest/Response models; semantic checks the schema
 * cannot express (valid Lucene, cron, known severity tiers, supported filters) are done by the
 * SIEM's rules service and named per field in the 400 it returns.
 */

export const AGGREGATION_TYPES = [
  'COUNT',
  'UNIQUE_COUNT',
  'SUM',
  'MIN',
  'MAX',
  'AVG',
  'NONE',
  'PERCENTAGE',
  'PERCENTILE',
] as const;
export const AggregationType = Type.Union(AGGREGATION_TYPES.map((t) => Type.Literal(t)));
export type AggregationType = Static<typeof AggregationType>;

export const TRIGGER_OPERATORS = [
  'LESS_THAN',
  'GREATER_THAN',
  'LESS_THAN_OR_EQUALS',
  'GREATER_THAN_OR_EQUALS',
  'EQUALS',
  'NOT_EQUALS',
] as const;
export const TriggerOperator = Type.Union(TRIGGER_OPERATORS.map((t) => Type.Literal(t)));
export type TriggerOperator = Static<typeof TriggerOperator>;

/** An Elasticsearch DSL query clause (term, terms, match, match_phrase, exists, range, bool). */
export const DslClause = Type.Record(Type.String(), Type.Unknown());
export type DslClause = Static<typeof DslClause>;

export const RuleFilters = Type.Object({
  bool: Type.Object({
    must: Type.Optional(Type.Array(DslClause, { maxItems: 100 })),
    must_not: Type.Optional(Type.Array(DslClause, { maxItems: 100 })),
    filter: Type.Optional(Type.Array(DslClause, { maxItems: 100 })),
  }),
});
export type RuleFilters = Static<typeof RuleFilters>;

export const QueryDefinition = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 10000, default: '*' }),
  filters: Type.Optional(RuleFilters),
  groupBy: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 3 })),
  aggregation: Type.Optional(
    Type.Object({
      aggregationType: AggregationType,
      fieldToAggregateOn: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      valueToAggregateOn: Type.Optional(Type.String({ maxLength: 256 })),
    }),
  ),
  shouldQueryOnAllAccounts: Type.Optional(Type.Boolean({ default: true })),
  accountIdsToQueryOn: Type.Optional(Type.Array(Type.Integer(), { maxItems: 100 })),
});
export type QueryDefinition = Static<typeof QueryDefinition>;

export const RuleTrigger = Type.Object({
  operator: TriggerOperator,
  /** `{SEVERITY: threshold}`; keys must be severities (checked by the service, naming the key). */
  severityThresholdTiers: Type.Record(Type.String(), Type.Number(), { minProperties: 1 }),
});
export type RuleTrigger = Static<typeof RuleTrigger>;

export const RuleSubComponent = Type.Object({
  queryDefinition: QueryDefinition,
  trigger: RuleTrigger,
  output: Type.Optional(
    Type.Object({
      columns: Type.Optional(
        Type.Array(
          Type.Object({
            fieldName: Type.String(),
            regex: Type.Optional(Type.String()),
            sort: Type.Optional(Type.Union([Type.Literal('DESC'), Type.Literal('ASC')])),
          }),
        ),
      ),
      shouldUseAllFields: Type.Optional(Type.Boolean()),
    }),
  ),
});
export type RuleSubComponent = Static<typeof RuleSubComponent>;

export const RuleSchedule = Type.Object({
  /** Cron, 5 fields (`*\/5 * * * *`) or Quartz 6-7 fields with seconds (`0 *\/5 * * * ?`). */
  cronExpression: Type.String({ minLength: 1, maxLength: 200 }),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: 'UTC' })),
});
export type RuleSchedule = Static<typeof RuleSchedule>;

export const RuleOutput = Type.Object({
  recipients: Type.Optional(
    Type.Object({
      emails: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })),
      notificationEndpointIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 100 })),
    }),
  ),
  suppressNotificationsMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 1440 })),
  type: Type.Optional(Type.Union([Type.Literal('JSON'), Type.Literal('TABLE')])),
});
export type RuleOutput = Static<typeof RuleOutput>;

export const SecurityRuleRequest = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 512 }),
  description: Type.Optional(Type.String({ maxLength: 10000 })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 25 })),
  mitreTags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
  enabled: Type.Optional(Type.Boolean()),
  sendToAll: Type.Optional(Type.Boolean()),
  searchTimeFrameMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, default: 5 })),
  /** Absent: the rule runs every minute. */
  schedule: Type.Optional(RuleSchedule),
  output: Type.Optional(RuleOutput),
  subComponents: Type.Array(RuleSubComponent, { minItems: 1, maxItems: 10 }),
  correlations: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** The security configuration the rule belongs to; absent: the account's default one. */
  configId: Type.Optional(Type.Integer()),
});
export type SecurityRuleRequest = Static<typeof SecurityRuleRequest>;

/**
 * How the rule engine fares with a rule (siemlink's own addition; Logz.io has no such field):
 * OK, QUARANTINED (its evaluation was interrupted last time; not run before `quarantinedUntil`)
 * or DISABLED (the engine turned it off after repeated failures; `disabledReason` says why).
 */
export const RuleEngineStatus = Type.Object({
  state: Type.Union([Type.Literal('OK'), Type.Literal('QUARANTINED'), Type.Literal('DISABLED')]),
  consecutiveFailures: Type.Integer({ minimum: 0 }),
  lastFailure: Type.Optional(Type.String()),
  lastFailureAt: Type.Optional(Type.String({ description: 'ISO 8601' })),
  disabledReason: Type.Optional(Type.String()),
  quarantinedUntil: Type.Optional(Type.String({ description: 'ISO 8601' })),
});
export type RuleEngineStatus = Static<typeof RuleEngineStatus>;

export const SecurityRuleResponse = Type.Composite([
  Type.Omit(SecurityRuleRequest, ['configId', 'enabled']),
  Type.Object({
    id: Type.Integer(),
    enabled: Type.Boolean(),
    configId: Type.Integer(),
    createdAt: Type.String({ description: 'ISO 8601' }),
    updatedAt: Type.String({ description: 'ISO 8601' }),
    createdBy: Type.String(),
    updatedBy: Type.String(),
    protected: Type.Boolean(),
    engineStatus: Type.Optional(RuleEngineStatus),
  }),
]);
export type SecurityRuleResponse = Static<typeof SecurityRuleResponse>;

export const RULE_SORT_FIELDS = ['SEVERITY', 'name', 'createdAt', 'updatedAt'] as const;
export const RuleSortField = Type.Union(RULE_SORT_FIELDS.map((f) => Type.Literal(f)));
export type RuleSortField = Static<typeof RuleSortField>;

/** `POST /v2/security/rules/search`; `{}` returns every rule of the account. */
export const SecurityRuleSearchRequest = Type.Object({
  filter: Type.Optional(
    Type.Object({
      search: Type.Optional(Type.String({ maxLength: 1000 })),
      severities: Type.Optional(Type.Array(Severity, { maxItems: 5 })),
      enabledState: Type.Optional(Type.Array(Type.Boolean(), { maxItems: 2 })),
      tags: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
      createdBy: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
      updatedBy: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
      emailNotifications: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
      configIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 100 })),
    }),
  ),
  sort: Type.Optional(
    Type.Object({
      sortByField: RuleSortField,
      descending: Type.Optional(Type.Boolean({ default: false })),
    }),
  ),
  pagination: Type.Optional(PaginationRequest),
});
export type SecurityRuleSearchRequest = Static<typeof SecurityRuleSearchRequest>;

export const SecurityRuleSearchResponse = Type.Object({
  total: Type.Integer(),
  results: Type.Array(SecurityRuleResponse),
  pagination: Pagination,
});
export type SecurityRuleSearchResponse = Static<typeof SecurityRuleSearchResponse>;

/** A security configuration: a named group of rules; what the feed's `configId` names. */
export const SecurityConfiguration = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  ruleCount: Type.Integer(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ description: 'ISO 8601' }),
});
export type SecurityConfiguration = Static<typeof SecurityConfiguration>;

export const CreateSecurityConfigurationRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
});
export type CreateSecurityConfigurationRequest = Static<typeof CreateSecurityConfigurationRequest>;

export const SecurityConfigurationList = Type.Array(SecurityConfiguration);
export type SecurityConfigurationList = Static<typeof SecurityConfigurationList>;
