-- Shipped logs. `seq` is the storage sequence; `ts` the log's @timestamp; `stored_at` when it
-- was written. `doc` is the whole parsed document as JSON (with @timestamp and type set).
CREATE TABLE logs (
  seq INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX logs_account_ts ON logs(account_id, ts);
