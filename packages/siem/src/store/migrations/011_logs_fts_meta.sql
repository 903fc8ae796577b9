-- The free-text index gets a second column, `meta`: tokens naming each log's account and the UTC
-- day and hour of its `ts` (`a<account>d<day>`, `a<account>h<hour>`, day/hour = floor(ts / unit)
-- plus an offset that keeps them positive), and `nonascii` for a log whose JSON text may hold
-- non-ASCII text, where FTS5's tokenizer and ours may disagree: more bytes than characters
-- (UTF-8 multi-byte) or a `\u` escape (which may decode to one); a false positive only costs a
-- parse. A count of the matches of a
-- query in a window is then an FTS5 expression alone, reading no `logs` row (issue 10).
-- `modules/logs/fts-meta.ts` spells the same tokens in JS. Search expressions name the `body`
-- column, so user text never matches a meta token.
DROP TRIGGER logs_fts_insert;
DROP TRIGGER logs_fts_delete;
DROP TRIGGER logs_fts_update;
DROP TABLE logs_fts;

CREATE VIRTUAL TABLE logs_fts USING fts5(body, meta, content = '', contentless_delete = 1, tokenize = 'unicode61');

CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts (rowid, body, meta)
    SELECT new.seq,
      coalesce(group_concat(value, ' '), ''),
      'a' || new.account_id || 'd' || ((new.ts - ((new.ts % 86400000) + 86400000) % 86400000) / 86400000 + 200000000)
        || ' a' || new.account_id || 'h' || ((new.ts - ((new.ts % 3600000) + 3600000) % 3600000) / 3600000 + 3000000000)
        || CASE WHEN length(new.doc) <> octet_length(new.doc) OR instr(new.doc, '\u') > 0 THEN ' nonascii' ELSE '' END
    FROM json_tree(new.doc) WHERE type = 'text';
END;

CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
  DELETE FROM logs_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER logs_fts_update AFTER UPDATE OF doc, ts, account_id ON logs BEGIN
  DELETE FROM logs_fts WHERE rowid = old.seq;
  INSERT INTO logs_fts (rowid, body, meta)
    SELECT new.seq,
      coalesce(group_concat(value, ' '), ''),
      'a' || new.account_id || 'd' || ((new.ts - ((new.ts % 86400000) + 86400000) % 86400000) / 86400000 + 200000000)
        || ' a' || new.account_id || 'h' || ((new.ts - ((new.ts % 3600000) + 3600000) % 3600000) / 3600000 + 3000000000)
        || CASE WHEN length(new.doc) <> octet_length(new.doc) OR instr(new.doc, '\u') > 0 THEN ' nonascii' ELSE '' END
    FROM json_tree(new.doc) WHERE type = 'text';
END;

-- Logs stored before this migration: index them again, with their meta tokens.
INSERT INTO logs_fts (rowid, body, meta)
  SELECT seq,
    (SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(doc) WHERE type = 'text'),
    'a' || account_id || 'd' || ((ts - ((ts % 86400000) + 86400000) % 86400000) / 86400000 + 200000000)
      || ' a' || account_id || 'h' || ((ts - ((ts % 3600000) + 3600000) % 3600000) / 3600000 + 3000000000)
      || CASE WHEN length(doc) <> octet_length(doc) OR instr(doc, '\u') > 0 THEN ' nonascii' ELSE '' END
  FROM logs;
