import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { SiemConfig } from './config.ts';
import type { Faults } from './faults.ts';
import type { Health } from './health/health.ts';
import type { Store } from './store/store.ts';
import type { Account, AccountsRepository } from './modules/accounts/repository.ts';
import type { Repositories } from './repositories.ts';
import type { SecurityEventsRecorder } from './modules/events/recorder.ts';
import type { FeedStreamer } from './modules/feed/streamer.ts';

/** What every module of one SIEM instance shares. Built once per app; never a module global. */
export interface SiemContext {
  config: SiemConfig;
  store: Store;
  clock: Clock;
  /** Fault settings; read only by the fault wrappers, which exist only with `faultInjection`. */
  faults: Faults;
  logger: Logger;
  /** Every repository, built once from `store` (repositories.ts). */
  repos: Repositories;
  /** Shorthand for `repos.accounts` (auth reads it on every request). */
  accounts: AccountsRepository;
  /** Where the rule engine stores triggered security events (`repos.events`, or its fault wrapper). */
  securityEvents: SecurityEventsRecorder;
  /** What the feed route serves from (the store's feed, or its fault wrapper). */
  feed: FeedStreamer;
  /** Background services' state (GET /health). */
  health: Health;
  /** Base URLs once listening (set by the server; tests may leave them empty). */
  urls: { api: string; listener: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    siem: SiemContext;
  }
  interface FastifyRequest {
    /** The account whose X-API-TOKEN (or X-USER-TOKEN) came with the request, if any. */
    account: Account | null;
  }
}
