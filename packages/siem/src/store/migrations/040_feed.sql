-- The feed's offset tokens carry a MAC under this per-instance key, so a garbled or foreign
-- offset is a clear 400 instead of a silent jump. Kept in the store: tokens survive restarts.
CREATE TABLE feed_secret (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret BLOB NOT NULL
);
INSERT INTO feed_secret (id, secret) VALUES (1, randomblob(32));

-- The feed walks one account's events in storage order (seq), in chunks.
CREATE INDEX security_events_account_seq ON security_events(account_id, seq);
