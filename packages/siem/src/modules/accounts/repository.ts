import type { Store } from '../../store/store.ts';
import { hashToken, sameHash } from './tokens.ts';

export type AccountType = 'LOGS' | 'SIEM';
export type TokenKind = 'API' | 'SHIPPING';

export interface Account {
  id: number;
  name: string;
  type: AccountType;
  email: string | null;
  ownerId: number | null;
  isMain: boolean;
  accountsToScan: number[];
  isUsingRepositoryAccount: boolean;
  createdAt: number;
}

export interface NewAccount {
  name: string;
  type: AccountType;
  email?: string | null;
  ownerId?: number | null;
  isMain?: boolean;
  accountsToScan?: number[];
  isUsingRepositoryAccount?: boolean;
  createdAt: number;
}

export interface AccountsRepository {
  count(): number;
  create(account: NewAccount, tokens: { kind: TokenKind; token: string }[]): Account;
  get(id: number): Account | undefined;
  getByName(name: string): Account | undefined;
  list(filter?: { type?: AccountType; ownerId?: number }): Account[];
  /** The account a token belongs to, or undefined. Only the hash is looked up. */
  findByToken(token: string, kind: TokenKind): Account | undefined;
}

interface AccountRow {
  id: number;
  name: string;
  type: AccountType;
  email: string | null;
  owner_id: number | null;
  is_main: number;
  accounts_to_scan: string;
  is_using_repository_account: number;
  created_at: number;
}

const FIRST_ACCOUNT_ID = 100001;

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    email: r.email,
    ownerId: r.owner_id,
    isMain: r.is_main === 1,
    accountsToScan: JSON.parse(r.accounts_to_scan) as number[],
    isUsingRepositoryAccount: r.is_using_repository_account === 1,
    createdAt: r.created_at,
  };
}

export function createSqliteAccountsRepository(store: Store): AccountsRepository {
  const db = store.db;
  const byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
  const byName = db.prepare('SELECT * FROM accounts WHERE name = ?');
  const tokenRow = db.prepare('SELECT token_hash, account_id FROM tokens WHERE token_hash = ? AND kind = ?');
  return {
    count: () => (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n,
    create(a, tokens) {
      return store.tx(() => {
        const next = db
          .prepare('SELECT coalesce(max(id) + 1, ?) AS id FROM accounts')
          .get(FIRST_ACCOUNT_ID) as {
          id: number;
        };
        db.prepare(
          `INSERT INTO accounts (id, name, type, email, owner_id, is_main, accounts_to_scan,
             is_using_repository_account, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          next.id,
          a.name,
          a.type,
          a.email ?? null,
          a.ownerId ?? null,
          a.isMain ? 1 : 0,
          JSON.stringify(a.accountsToScan ?? []),
          a.isUsingRepositoryAccount ? 1 : 0,
          a.createdAt,
        );
        const ins = db.prepare(
          'INSERT INTO tokens (token_hash, account_id, kind, created_at) VALUES (?, ?, ?, ?)',
        );
        for (const t of tokens) ins.run(hashToken(t.token), next.id, t.kind, a.createdAt);
        return toAccount(byId.get(next.id) as unknown as AccountRow);
      });
    },
    get(id) {
      const r = byId.get(id) as AccountRow | undefined;
      return r && toAccount(r);
    },
    getByName(name) {
      const r = byName.get(name) as AccountRow | undefined;
      return r && toAccount(r);
    },
    list(filter = {}) {
      const rows = db
        .prepare(
          `SELECT * FROM accounts WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR owner_id = ?2 OR id = ?2)
           ORDER BY id`,
        )
        .all(filter.type ?? null, filter.ownerId ?? null) as unknown as AccountRow[];
      return rows.map(toAccount);
    },
    findByToken(token, kind) {
      const h = hashToken(token);
      const r = tokenRow.get(h, kind) as { token_hash: string; account_id: number } | undefined;
      // The lookup is by hash (no secret-dependent early exit on the secret itself); the final
      // comparison is constant-time anyway.
      if (!r || !sameHash(r.token_hash, h)) return undefined;
      const a = byId.get(r.account_id) as AccountRow | undefined;
      return a && toAccount(a);
    },
  };
}
