import type { ConfigurationsRepository } from '../rules/configurations-repository.ts';
import type { FeedRepository } from './repository.ts';
import { illegalParameter } from './problem.ts';

/** At most this many configuration ids in one feed path. */
export const MAX_CONFIG_IDS = 100;

/**
 * `12892;29182` (Fastify hands us `%3B` already decoded) -> [12892, 29182]. Empty segments
 * (a trailing `;`) are ignored; anything else non-numeric is a 400.
 */
export function parseConfigIds(raw: string): number[] {
  const parts = raw
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw illegalParameter('configId', 'at least one configuration id is required');
  if (parts.length > MAX_CONFIG_IDS) throw illegalParameter('configId', `at most ${MAX_CONFIG_IDS} ids`);
  const ids = parts.map((p) => {
    if (!/^\d{1,15}$/.test(p))
      throw illegalParameter('configId', `"${p.slice(0, 40)}" is not a configuration id`);
    return Number(p);
  });
  return [...new Set(ids)];
}

export interface FeedConfigs {
  /** The ids among `ids` that the account does not own (unknown or another account's). */
  notOwned(accountId: number, ids: number[]): number[];
}

/**
 * A configuration is the account's when the rules module has it under that account, or when
 * the account has events under it (so events stay readable after their configuration is gone).
 * Another account's configuration is reported exactly like an unknown one (404, no leak).
 */
export function createFeedConfigs(
  configurations: ConfigurationsRepository,
  feed: Pick<FeedRepository, 'hasEvents'>,
): FeedConfigs {
  return {
    notOwned(accountId, ids) {
      return ids.filter(
        (id) =>
          configurations.getConfiguration(id)?.accountId !== accountId && !feed.hasEvents(accountId, id),
      );
    },
  };
}
