import type { Store } from './store/store.ts';
import { createSqliteAccountsRepository, type AccountsRepository } from './modules/accounts/repository.ts';
import {
  createSqliteEventLogsSearcher,
  type EventLogsSearcher,
} from './modules/events/event-logs-repository.ts';
import {
  createSqlitePendingEventsRepository,
  type PendingEventsRepository,
} from './modules/events/pending-repository.ts';
import { createSqliteSecurityEventsWriter, type SecurityEventsWriter } from './modules/events/repository.ts';
import {
  createSqliteSecurityEventSearcher,
  type SecurityEventSearcher,
} from './modules/events/search-repository.ts';
import { createSqliteFeedRepository, type FeedRepository } from './modules/feed/repository.ts';
import { createSqliteLogsWriter, type LogsWriter } from './modules/logs/repository.ts';
import {
  createSqliteConfigurationsRepository,
  type ConfigurationsRepository,
} from './modules/rules/configurations-repository.ts';
import {
  createSqliteSuppressionRepository,
  type SuppressionRepository,
} from './modules/rules/engine/suppression-repository.ts';
import {
  createSqliteWindowRepository,
  type WindowRepository,
} from './modules/rules/engine/window-repository.ts';
import { createSqliteRulesRepository, type RulesRepository } from './modules/rules/repository.ts';
import { createSqliteSearchRepository, type SearchRepository } from './modules/search/repository.ts';

/**
 * Every repository of one SIEM instance, built once from its store and shared through the
 * context: modules ask these for data and never write SQL of their own (a test holds that).
 */
export interface Repositories {
  accounts: AccountsRepository;
  logs: LogsWriter;
  /** /v1/search: the one place the Lucene and DSL compilers' SQL runs. */
  search: SearchRepository;
  rules: RulesRepository;
  configurations: ConfigurationsRepository;
  suppressions: SuppressionRepository;
  /** Rule windows read on the store's own connection (scan workers open their own). */
  windows: WindowRepository;
  events: SecurityEventsWriter;
  eventSearch: SecurityEventSearcher;
  eventLogs: EventLogsSearcher;
  /** Events the late-indexing fault holds back. */
  pendingEvents: PendingEventsRepository;
  feed: FeedRepository;
}

export function createSqliteRepositories(store: Store): Repositories {
  return {
    accounts: createSqliteAccountsRepository(store),
    logs: createSqliteLogsWriter(store),
    search: createSqliteSearchRepository(store),
    rules: createSqliteRulesRepository(store),
    configurations: createSqliteConfigurationsRepository(store),
    suppressions: createSqliteSuppressionRepository(store),
    windows: createSqliteWindowRepository(store.db),
    events: createSqliteSecurityEventsWriter(store),
    eventSearch: createSqliteSecurityEventSearcher(store),
    eventLogs: createSqliteEventLogsSearcher(store),
    pendingEvents: createSqlitePendingEventsRepository(store),
    feed: createSqliteFeedRepository(store),
  };
}
