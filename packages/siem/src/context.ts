import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { SiemConfig } from './config.ts';
import type { Faults } from './faults.ts';
import type { Health } from './health/health.ts';
import type { Store } from './store/store.ts';
import type { Account, AccountsRepository } from './modules/accounts/repository.ts';

/** What every module of one SIEM instance shares. Built once per app; never a module global. */
export interface SiemContext {
  config: SiemConfig;
  store: Store;
  clock: Clock;
  faults: Faults;
  logger: Logger;
  accounts: AccountsRepository;
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
