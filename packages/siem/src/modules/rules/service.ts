import type {
  RuleEngineStatus,
  SecurityConfiguration,
  SecurityRuleRequest,
  SecurityRuleResponse,
  SecurityRuleSearchRequest,
  SecurityRuleSearchResponse,
} from '@siemlink/contracts';
import type { SiemContext } from '../../context.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { Account } from '../accounts/repository.ts';
import { nextRunAfter } from './schedule.ts';
import type { ConfigurationsRepository } from './configurations-repository.ts';
import type { RulesRepository, StoredRule } from './repository.ts';
import { checkRuleRequest } from './validate.ts';

export interface RulesService {
  create(account: Account, req: SecurityRuleRequest, prefix?: string): SecurityRuleResponse;
  get(account: Account, id: number): SecurityRuleResponse;
  update(account: Account, id: number, req: SecurityRuleRequest): SecurityRuleResponse;
  remove(account: Account, id: number): void;
  setEnabled(account: Account, id: number, enabled: boolean): SecurityRuleResponse;
  search(account: Account, req: SecurityRuleSearchRequest): SecurityRuleSearchResponse;
  listConfigurations(account: Account): SecurityConfiguration[];
  createConfiguration(account: Account, name: string): SecurityConfiguration;
  /**
   * Creates rules in one transaction (all or none), skipping those whose title the target
   * configuration already has, so installing a pack or a rules file twice is harmless.
   * Returns the rules created.
   */
  install(account: Account, reqs: SecurityRuleRequest[], prefix: string): SecurityRuleResponse[];
  rules: RulesRepository;
  configurations: ConfigurationsRepository;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toRuleResponse(r: StoredRule): SecurityRuleResponse {
  return {
    ...r.definition,
    id: r.id,
    enabled: r.enabled,
    configId: r.configId,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    protected: false,
    engineStatus: engineStatus(r),
  };
}

function engineStatus(r: StoredRule): RuleEngineStatus {
  const e = r.engine;
  const quarantined = e.quarantinedUntil !== null && r.enabled;
  const s: RuleEngineStatus = {
    state: e.disabledReason !== null && !r.enabled ? 'DISABLED' : quarantined ? 'QUARANTINED' : 'OK',
    consecutiveFailures: e.failures,
  };
  if (e.lastFailure !== null) s.lastFailure = e.lastFailure;
  if (e.lastFailureAt !== null) s.lastFailureAt = iso(e.lastFailureAt);
  if (e.disabledReason !== null && !r.enabled) s.disabledReason = e.disabledReason;
  if (quarantined) s.quarantinedUntil = iso(e.quarantinedUntil!);
  return s;
}

const actor = (a: Account) => a.email ?? a.name;

export function createRulesService(ctx: SiemContext): RulesService {
  const { rules, configurations } = ctx.repos;

  /** The rule if it is the caller's; a foreign id is indistinguishable from an unknown one. */
  const own = (account: Account, id: number): StoredRule => {
    const r = rules.get(id);
    if (!r || r.accountId !== account.id) throw notFound(`security rule ${id} not found`, 'RULE_NOT_FOUND');
    return r;
  };

  const resolveConfig = (account: Account, configId: number | undefined, prefix: string, now: number) => {
    if (configId === undefined) return configurations.ensureDefault(account.id, now).id;
    const c = configurations.getConfiguration(configId);
    if (!c || c.accountId !== account.id) {
      throw badRequest(
        `${prefix}.configId`,
        `security configuration ${configId} is not one of this account's`,
      );
    }
    return c.id;
  };

  const checkAccounts = (account: Account, req: SecurityRuleRequest, prefix: string) => {
    const q = req.subComponents[0]!.queryDefinition;
    for (const id of q.accountIdsToQueryOn ?? []) {
      if (!account.accountsToScan.includes(id)) {
        throw badRequest(
          `${prefix}.subComponents.0.queryDefinition.accountIdsToQueryOn`,
          `account ${id} is not scanned by this SIEM account (scans ${account.accountsToScan.join(', ') || 'none'})`,
        );
      }
    }
  };

  const createOne = (account: Account, req: SecurityRuleRequest, prefix: string, now: number) => {
    const checked = checkRuleRequest(req, prefix, now);
    checkAccounts(account, req, prefix);
    const configId = resolveConfig(account, req.configId, prefix, now);
    return rules.insert({
      accountId: account.id,
      configId,
      enabled: req.enabled !== false,
      definition: checked.definition,
      maxSeverityRank: checked.maxSeverityRank,
      at: now,
      by: actor(account),
      nextRunAt: nextRunAfter(checked.definition, now),
    });
  };

  const service: RulesService = {
    rules,
    configurations,
    create(account, req, prefix = 'body') {
      const now = ctx.clock.now();
      return toRuleResponse(ctx.store.tx(() => createOne(account, req, prefix, now)));
    },
    get(account, id) {
      return toRuleResponse(own(account, id));
    },
    update(account, id, req) {
      const now = ctx.clock.now();
      return toRuleResponse(
        ctx.store.tx(() => {
          const current = own(account, id);
          const checked = checkRuleRequest(req, 'body', now);
          checkAccounts(account, req, 'body');
          const configId =
            req.configId === undefined ? current.configId : resolveConfig(account, req.configId, 'body', now);
          return rules.update(id, {
            configId,
            enabled: req.enabled ?? current.enabled,
            definition: checked.definition,
            maxSeverityRank: checked.maxSeverityRank,
            at: now,
            by: actor(account),
            nextRunAt: nextRunAfter(checked.definition, now),
          });
        }),
      );
    },
    remove(account, id) {
      own(account, id);
      rules.delete(id);
    },
    setEnabled(account, id, enabled) {
      const now = ctx.clock.now();
      return toRuleResponse(
        ctx.store.tx(() => {
          const r = own(account, id);
          if (r.enabled === enabled) return r;
          return rules.update(id, {
            configId: r.configId,
            enabled,
            definition: r.definition,
            maxSeverityRank: r.maxSeverityRank,
            at: now,
            by: actor(account),
            nextRunAt: nextRunAfter(r.definition, now),
          });
        }),
      );
    },
    search(account, req) {
      const f = req.filter ?? {};
      const lower = (xs: string[] | undefined) =>
        xs && xs.length > 0 ? xs.map((x) => x.toLowerCase()) : null;
      const search = f.search?.trim().toLowerCase();
      const createdBy = lower(f.createdBy);
      const updatedBy = lower(f.updatedBy);
      const emails = lower(f.emailNotifications);
      const matches = rules.listByAccount(account.id).filter((r) => {
        const d = r.definition;
        if (search && !d.title.toLowerCase().includes(search)) return false;
        if (f.severities?.length) {
          const tiers = Object.keys(d.subComponents[0]!.trigger.severityThresholdTiers);
          if (!tiers.some((t) => (f.severities as string[]).includes(t))) return false;
        }
        if (f.enabledState?.length && !f.enabledState.includes(r.enabled)) return false;
        if (f.tags?.length && !(d.tags ?? []).some((t) => f.tags!.includes(t))) return false;
        if (createdBy && !createdBy.includes(r.createdBy.toLowerCase())) return false;
        if (updatedBy && !updatedBy.includes(r.updatedBy.toLowerCase())) return false;
        if (emails && !(d.output?.recipients?.emails ?? []).some((e) => emails.includes(e.toLowerCase()))) {
          return false;
        }
        if (f.configIds?.length && !f.configIds.includes(r.configId)) return false;
        return true;
      });
      const sort = req.sort;
      const dir = sort?.descending ? -1 : 1;
      const key = (r: StoredRule): number | string => {
        switch (sort?.sortByField) {
          case 'SEVERITY':
            return r.maxSeverityRank;
          case 'name':
            return r.definition.title.toLowerCase();
          case 'updatedAt':
            return r.updatedAt;
          default:
            return r.createdAt;
        }
      };
      // Ties fall back to the id so pages are stable.
      matches.sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        if (ka < kb) return -dir;
        if (ka > kb) return dir;
        return (a.id - b.id) * dir;
      });
      const pageNumber = req.pagination?.pageNumber ?? 1;
      const pageSize = req.pagination?.pageSize ?? 25;
      const start = (pageNumber - 1) * pageSize;
      return {
        total: matches.length,
        results: matches.slice(start, start + pageSize).map(toRuleResponse),
        pagination: { pageNumber, pageSize },
      };
    },
    listConfigurations(account) {
      configurations.ensureDefault(account.id, ctx.clock.now());
      return configurations.listConfigurations(account.id).map((c) => ({
        id: c.id,
        name: c.name,
        ruleCount: c.ruleCount,
        isDefault: c.isDefault,
        createdAt: iso(c.createdAt),
      }));
    },
    createConfiguration(account, name) {
      const now = ctx.clock.now();
      configurations.ensureDefault(account.id, now);
      const c = configurations.create(account.id, name.trim(), now);
      return { id: c.id, name: c.name, ruleCount: 0, isDefault: c.isDefault, createdAt: iso(c.createdAt) };
    },
    install(account, reqs, prefix) {
      const now = ctx.clock.now();
      return ctx.store.tx(() => {
        const existing = rules.listByAccount(account.id);
        const created: StoredRule[] = [];
        reqs.forEach((req, i) => {
          const configId = resolveConfig(account, req.configId, `${prefix}[${i}]`, now);
          if (existing.some((r) => r.configId === configId && r.definition.title === req.title)) return;
          created.push(createOne(account, { ...req, configId }, `${prefix}[${i}]`, now));
        });
        return created.map(toRuleResponse);
      });
    },
  };
  return service;
}
