export * from './define.ts';
export * from './time.ts';
export {
  searchLogsCommand,
  SEARCH_PAGE_SIZE,
  SEARCH_WINDOW_HITS,
  type SearchLogsResult,
} from './search-logs.ts';
export { getLogsByEventIdCommand, type EventLogsResult } from './get-logs-by-event-id.ts';
export { createSiemAccountCommand } from './create-siem-account.ts';
export { securityEventsCommand, DEFAULT_LOOKBACK_SECONDS } from './security-events.ts';
export { testCommand, type TestResult, type TokenCheck } from './test-connection.ts';
export {
  backfillCommand,
  BACKFILL_DEFAULT_MARGIN_MINUTES,
  type BackfillDeps,
  type BackfillResult,
} from './backfill.ts';
export { listSecurityConfigurationsCommand } from './list-security-configurations.ts';
