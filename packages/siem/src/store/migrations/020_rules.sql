-- Security configurations: named groups of rules per SIEM account (the feed's configId).
-- Ids start at 14227 so they look like real ones and never collide with account ids.
CREATE TABLE security_configurations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, name)
);
CREATE UNIQUE INDEX security_configurations_one_default
  ON security_configurations(account_id) WHERE is_default = 1;
INSERT INTO sqlite_sequence (name, seq) VALUES ('security_configurations', 14226);

-- Security rules. `definition` is the validated SecurityRuleRequest (JSON, defaults applied,
-- without configId/enabled, which are columns). `next_run_at` (epoch ms) drives the scheduler.
CREATE TABLE security_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  config_id INTEGER NOT NULL REFERENCES security_configurations(id),
  title TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  max_severity_rank INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  next_run_at INTEGER NOT NULL,
  last_run_at INTEGER
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('security_rules', 450000);
CREATE INDEX security_rules_account ON security_rules(account_id, id);
CREATE INDEX security_rules_due ON security_rules(enabled, next_run_at);

-- Notification suppression: a (rule, group) that triggered may not trigger again before `until`.
-- Persisted so a restart keeps it.
CREATE TABLE rule_suppressions (
  rule_id INTEGER NOT NULL,
  group_key TEXT NOT NULL,
  until INTEGER NOT NULL,
  PRIMARY KEY (rule_id, group_key)
) WITHOUT ROWID;

-- Events held back by the late-indexing fault: committed to security_events (which assigns
-- their storage seq) once now >= due_at.
CREATE TABLE pending_security_events (
  id INTEGER PRIMARY KEY,
  due_at INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX pending_security_events_due ON pending_security_events(due_at, id);
