-- Security events. `seq` is the storage sequence assigned at commit (the feed's order);
-- `stored_at` the storage time; `event_date` when the rule triggered (all epoch ms).
CREATE TABLE security_events (
  seq INTEGER PRIMARY KEY,
  alert_event_id TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL,
  config_id INTEGER NOT NULL,
  rule_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  alert_summary TEXT NOT NULL,
  event_date INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  group_by TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  mitre_tags TEXT NOT NULL DEFAULT '[]',
  hits INTEGER NOT NULL,
  is_muted INTEGER NOT NULL DEFAULT 0,
  stored_at INTEGER NOT NULL
);
CREATE INDEX security_events_account_date ON security_events(account_id, event_date, seq);
CREATE INDEX security_events_account_stored ON security_events(account_id, stored_at);

-- The logs behind each event (their `logs.seq`).
CREATE TABLE security_event_logs (
  event_seq INTEGER NOT NULL REFERENCES security_events(seq),
  log_seq INTEGER NOT NULL,
  PRIMARY KEY (event_seq, log_seq)
) WITHOUT ROWID;
