import type { CreateSiemAccountRequest, SiemAccount } from '@siemlink/contracts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import type { Clock } from '../../clock.ts';
import type { Account, AccountsRepository } from './repository.ts';
import { generateToken } from './tokens.ts';

export interface AccountsServiceDeps {
  accounts: AccountsRepository;
  clock: Clock;
}

/** `yyyy-mm-ddThh:mm:ssZ` (no milliseconds), as the Logz.io contract shows `createdAt`. */
export function formatCreatedAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toSiemAccount(a: Account): SiemAccount {
  return {
    accountId: a.id,
    accountName: a.name,
    accountsToScan: a.accountsToScan,
    createdAt: formatCreatedAt(a.createdAt),
    isUsingRepositoryAccount: a.isUsingRepositoryAccount,
  };
}

/** A LOGS account the caller may give a SIEM account to scan: itself, or one it owns. */
function ownsLogsAccount(caller: Account, a: Account | undefined): boolean {
  return !!a && a.type === 'LOGS' && (a.id === caller.id || a.ownerId === caller.id);
}

/**
 * Creates a SIEM account owned by `caller` (a main LOGS account; the route checks that), with
 * its own API token. Everything is validated before anything is written; the account and its
 * token are written in one transaction. The token is returned once, here.
 */
export function createSiemAccount(
  deps: AccountsServiceDeps,
  caller: Account,
  req: CreateSiemAccountRequest,
): { account: SiemAccount; apiToken: string } {
  const name = req.accountName;
  if (name.trim() === '') throw badRequest('body.accountName', 'must not be blank');
  // Absent or empty: the owner account is the default account to scan (as documented).
  const scan = req.accountsToScan?.length ? [...new Set(req.accountsToScan)] : [caller.id];
  for (const id of scan) {
    if (!ownsLogsAccount(caller, deps.accounts.get(id))) {
      throw badRequest(
        'body.accountsToScan',
        `account ${id} is not a log account owned by the calling account`,
      );
    }
  }
  if (deps.accounts.getByName(name))
    throw conflict('body.accountName', `an account named "${name}" already exists`);
  const apiToken = generateToken();
  let created: Account;
  try {
    created = deps.accounts.create(
      {
        name,
        type: 'SIEM',
        email: req.email,
        ownerId: caller.id,
        accountsToScan: scan,
        isUsingRepositoryAccount: req.isUsingRepositoryAccount ?? false,
        createdAt: deps.clock.now(),
      },
      [{ kind: 'API', token: apiToken }],
    );
  } catch (err) {
    // Two concurrent creates with one name: the UNIQUE constraint decides, the loser gets 409.
    if (/UNIQUE constraint failed: accounts\.name/.test(String((err as Error).message))) {
      throw conflict('body.accountName', `an account named "${name}" already exists`);
    }
    throw err;
  }
  return { account: toSiemAccount(created), apiToken };
}

/** SIEM accounts owned by `caller`, oldest first. */
export function listSiemAccounts(deps: AccountsServiceDeps, caller: Account): SiemAccount[] {
  return deps.accounts
    .list({ type: 'SIEM', ownerId: caller.id })
    .filter((a) => a.ownerId === caller.id)
    .map(toSiemAccount);
}

/** One SIEM account owned by `caller`; 404 otherwise (foreign accounts are indistinguishable from absent ones). */
export function getSiemAccount(deps: AccountsServiceDeps, caller: Account, id: number): SiemAccount {
  const a = deps.accounts.get(id);
  if (!a || a.type !== 'SIEM' || a.ownerId !== caller.id) throw notFound(`SIEM account ${id} not found`);
  return toSiemAccount(a);
}
