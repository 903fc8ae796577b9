import type { Command } from 'commander';
import { intOption } from '../options.ts';

export interface ServeOptions {
  dataDir: string;
  host: string;
  /** Unset: SIEMLINK_PORT, else 8080 (resolved in siemConfigFrom so a bad value names the variable). */
  port?: number;
  /** Unset: SIEMLINK_LISTENER_PORT, else 8070. */
  listenerPort?: number;
  demo: boolean;
  faultInjection: boolean;
  rules?: string;
  /** PEM certificate and key: the API and the listener speak HTTPS (env SIEMLINK_TLS_CERT/_KEY). */
  tlsCert?: string;
  tlsKey?: string;
}

/** The flags of the verbs that run the SIEM (`serve`, `up`). */
export function addSiemOptions(cmd: Command): Command {
  const env = process.env;
  return cmd
    .option(
      '--data-dir <dir>',
      'data directory (env SIEMLINK_DATA_DIR)',
      env.SIEMLINK_DATA_DIR ?? './.siemlink',
    )
    .option('--host <host>', 'address to bind (env SIEMLINK_HOST)', env.SIEMLINK_HOST ?? '127.0.0.1')
    .option('--port <port>', 'SIEM API port (default 8080; env SIEMLINK_PORT)', intOption('--port', 0, 65535))
    .option(
      '--listener-port <port>',
      'log listener port (default 8070; env SIEMLINK_LISTENER_PORT)',
      intOption('--listener-port', 0, 65535),
    )
    .option(
      '--fault-injection',
      'enable the fault-injection admin endpoint',
      env.SIEMLINK_FAULT_INJECTION === '1',
    )
    .option(
      '--tls-cert <file>',
      'serve the API and the listener over HTTPS with this PEM certificate (chain) (env SIEMLINK_TLS_CERT)',
      env.SIEMLINK_TLS_CERT || undefined,
    )
    .option(
      '--tls-key <file>',
      'the PEM private key of --tls-cert (env SIEMLINK_TLS_KEY)',
      env.SIEMLINK_TLS_KEY || undefined,
    )
    .option(
      '--rules <file>',
      'install security rules from a JSON file at start (env SIEMLINK_RULES_FILE)',
      env.SIEMLINK_RULES_FILE,
    );
}
