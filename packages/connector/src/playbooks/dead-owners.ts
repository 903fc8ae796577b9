import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import { deadLocalOwners, pidAlive } from '../leases/dead-owners.ts';
import type { IncidentStore } from '../store/types.ts';

/**
 * Step leases held by playbook workers of this machine whose process is gone are given back at
 * start (same attempt, same idempotency key), so a restarted `up` or `siemlink worker` resumes
 * their runs at once instead of waiting out the lease.
 */
export async function releaseDeadWorkers(
  store: IncidentStore,
  clock: Clock,
  logger: Logger,
  isAlive: (pid: number) => boolean = pidAlive,
): Promise<number> {
  const journal = store.playbooks.journal;
  let released = 0;
  for (const owner of deadLocalOwners(await journal.leaseOwners(), isAlive)) {
    const n = await journal.release(owner, clock.now());
    released += n;
    logger.info({ owner, steps: n }, 'playbooks: released the step leases of a worker that is gone');
  }
  return released;
}
