-- Accounts: LOGS (log management, "operations") and SIEM ("security") accounts.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('LOGS', 'SIEM')),
  email TEXT,
  -- The main logs account that owns this one (NULL for a main account).
  owner_id INTEGER REFERENCES accounts(id),
  is_main INTEGER NOT NULL DEFAULT 0,
  -- JSON array of LOGS account ids a SIEM account reads.
  accounts_to_scan TEXT NOT NULL DEFAULT '[]',
  is_using_repository_account INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

-- Tokens are stored as SHA-256 hashes only.
CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('API', 'SHIPPING')),
  created_at INTEGER NOT NULL
);
CREATE INDEX tokens_account ON tokens(account_id);
