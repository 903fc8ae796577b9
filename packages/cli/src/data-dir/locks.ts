import { join, resolve } from 'node:path';
import { acquireLock, type DataDirLock } from './lock.ts';

/** The SIEM's data (siem.db, credentials.json) in DIR: one `serve` or `up` at a time. */
export function lockSiemDataDir(dataDir: string, command: string): DataDirLock {
  const dir = resolve(dataDir);
  return acquireLock(join(dir, 'siem.lock'), `the SIEM data dir ${dir}`, command);
}

/**
 * The connector's SQLite store in DIR/connector: one fetch loop at a time. A PostgreSQL store
 * takes no lock: several connectors share it by design (the cursor commit is race-safe there).
 */
export function lockConnectorStore(
  dataDir: string,
  store: { kind: string } | undefined,
  command: string,
): DataDirLock | null {
  if (store?.kind === 'postgres') return null;
  const dir = join(resolve(dataDir), 'connector');
  return acquireLock(join(dir, 'connector.lock'), `the connector store in ${dir}`, command);
}
