import type { Command } from 'commander';

/** Flags every connector verb takes; none has a default, so env and the config file still apply. */
export interface ConnectionFlags {
  apiUrl?: string;
  region?: string;
  securityToken?: string;
  operationsToken?: string;
  config?: string;
  dataDir?: string;
  proxy?: string;
  caFile?: string;
  insecure?: boolean;
  timeoutMs?: string;
  storeUrl?: string;
  /** `--sink KIND:TARGET`, repeatable (up and fetch-incidents). */
  sink?: string[];
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--api-url <url>', 'API base URL, e.g. http://127.0.0.1:8080 (env SIEMLINK_API_URL)')
    .option('--region <code>', 'Logz.io region: us, au, ca, eu, nl, uk, wa (env SIEMLINK_REGION)')
    .option('--security-token <token>', 'API token of the Security account (env SIEMLINK_SECURITY_TOKEN)')
    .option(
      '--operations-token <token>',
      'API token of the Operations account (env SIEMLINK_OPERATIONS_TOKEN)',
    )
    .option('--config <file>', 'JSON config file (env SIEMLINK_CONFIG)')
    .option(
      '--data-dir <dir>',
      'siemlink data directory; incidents in DIR/connector/connector.db (env SIEMLINK_DATA_DIR, default ./.siemlink)',
    )
    .option('--proxy <url>', 'HTTP(S) proxy (env SIEMLINK_PROXY)')
    .option('--ca-file <file>', 'extra CA certificates, PEM (env SIEMLINK_CA_FILE)')
    .option('--insecure', 'do not verify TLS certificates (env SIEMLINK_INSECURE)')
    .option('--timeout-ms <ms>', 'per-request timeout in milliseconds (env SIEMLINK_TIMEOUT_MS)')
    .option(
      '--store-url <url>',
      'PostgreSQL incident store shared by several connectors, postgres://... (env SIEMLINK_STORE_URL; default SQLite in --data-dir)',
    );
}

/** `--sink KIND:TARGET` (repeatable), for the verbs that deliver incidents onward. */
export function addSinkOption(cmd: Command): Command {
  return cmd.option(
    '--sink <kind:target>',
    'deliver new incidents onward: webhook:URL, nats:SUBJECT, slack:URL|ENV, xsoar:URL, thehive:URL, syslog:tcp|udp|tls://HOST:PORT; repeatable (env SIEMLINK_SINKS; docs/sinks.md)',
    (value: string, previous: string[] = []) => [...previous, value],
  );
}
