import { hostname } from 'node:os';

/** Whether a process of this machine is alive; EPERM means alive but not ours. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lease owners (`host:pid:random`, as outbox dispatchers and playbook workers name
 * themselves) that were processes of this machine and are gone (SIGKILL, crash): their leases
 * can be voided at once instead of waited out. Another machine's owners, and any whose pid is
 * alive (even if reused by another program), are left to expire.
 */
export function deadLocalOwners(
  owners: readonly string[],
  isAlive: (pid: number) => boolean = pidAlive,
): string[] {
  const host = hostname();
  return owners.filter((owner) => {
    const m = /^(.*):(\d+):[0-9a-f]+$/.exec(owner);
    if (!m || m[1] !== host) return false;
    const pid = Number(m[2]);
    return pid !== process.pid && !isAlive(pid);
  });
}
