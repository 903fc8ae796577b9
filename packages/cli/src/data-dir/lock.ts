import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { argumentError } from '../options.ts';

/** What a lock file holds: who owns the data dir, and how to tell a reused pid from the owner. */
export interface LockHolder {
  pid: number;
  /** The holder's process start time as the kernel reports it (Linux), else null. */
  startTime: string | null;
  host: string;
  command: string;
  since: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot; null where /proc is absent. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // a shared filesystem: cannot check, assume held
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code === 'ESRCH') return false;
  }
  // Same pid, another process (pid reuse after a crash): the lock is stale.
  const now = processStartTime(holder.pid);
  return holder.startTime === null || now === null || now === holder.startTime;
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) ? h : null;
  } catch {
    return null;
  }
}

/**
 * Takes `path` (created exclusively) for this process's lifetime, so that two processes never
 * write one SQLite data dir: a second owner would interleave demo history, rule runs and fetch
 * cursors. A lock whose holder is gone (crash, SIGKILL) or whose pid now names another process
 * is stale and taken over. `what` names the data in the error (`SIEM data dir /x`).
 */
export function acquireLock(path: string, what: string, command: string): DataDirLock {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') {
        throw argumentError(`cannot create the lock file ${path} (${(err as Error).message})`);
      }
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder)) {
      throw Object.assign(
        argumentError(
          `${what} is in use by process ${holder.pid} (${holder.command}, on ${holder.host} since ${holder.since}); stop it first, or use another --data-dir. Lock file: ${path}`,
        ),
        { code: 'DATA_DIR_LOCKED' },
      );
    }
    // Stale, or half written by a holder that died while creating it: remove and retry once more.
    if (attempt >= 3) throw argumentError(`cannot take the lock file ${path}: it keeps changing`);
    try {
      unlinkSync(path);
    } catch {
      /* another process removed it first; retry */
    }
  }
  const onExit = () => release();
  process.once('exit', onExit);
  let released = false;
  function release() {
    if (released) return;
    released = true;
    process.off('exit', onExit);
    // Only our own lock: never remove one a later owner took over.
    if (readHolder(path)?.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  }
  return { path, release };
}
