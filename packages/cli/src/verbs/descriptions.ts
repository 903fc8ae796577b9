/**
 * The connector commands' descriptions as the help shows them, kept here as text so that
 * `--help` never imports the commands themselves; test/verbs.test.ts checks they still match
 * the connector's definitions.
 */
export const VERB_DESCRIPTIONS = {
  'search-logs': 'search logs with a Lucene query (Operations token)',
  'get-logs-by-event-id': 'the logs that triggered one security event (Security token)',
  'create-siem-account': 'create a Cloud SIEM account (Operations token of the main account)',
  'security-events': 'read the security-event feed (Security token)',
  'security-configurations':
    'list the security configurations (their ids are what the feed takes; Security token)',
  test: 'check each configured token: which works and why not',
  backfill: 'ingest a past window (or a recorded gap) as incidents without moving the live cursor',
} as const;

/** The connector's BACKFILL_DEFAULT_MARGIN_MINUTES, for the help text. */
export const BACKFILL_MARGIN_MINUTES = 10;
