-- Free-text index for /v1/search and rules: FTS5 over the string values of each log document
-- (json_tree leaves of type 'text', decoded, so JSON escapes never glue tokens together).
-- Contentless (no copy of the text); kept in sync by triggers so writers only touch `logs`.
CREATE VIRTUAL TABLE logs_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61');

CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts (rowid, body)
    SELECT new.seq, coalesce(group_concat(value, ' '), '') FROM json_tree(new.doc) WHERE type = 'text';
END;

CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
  DELETE FROM logs_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER logs_fts_update AFTER UPDATE OF doc ON logs BEGIN
  DELETE FROM logs_fts WHERE rowid = old.seq;
  INSERT INTO logs_fts (rowid, body)
    SELECT new.seq, coalesce(group_concat(value, ' '), '') FROM json_tree(new.doc) WHERE type = 'text';
END;
