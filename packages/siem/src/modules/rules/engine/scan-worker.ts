// A rule-window reader in a worker thread: its own read-only connection to the SIEM's database
// (WAL lets it read while the main thread writes), one scan at a time, answers as plain data.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { RuleBudgetExceeded, threadCpuBudgetCheck } from './budget.ts';
import { storeFailure } from '../../../errors.ts';
import { openSqliteReader } from '../../../store/store.ts';
import { createSqliteWindowRepository } from './window-repository.ts';
import { scanWindow } from './window-scan.ts';
import type { ScanRequest, ScanResponse, WorkerError } from './worker-protocol.ts';

const { dbPath, nice } = workerData as { dbPath: string; nice: number };
// Linux keeps a nice value per thread: a lower priority here leaves the event loop thread (which
// serves shipping and search) first in line for the CPU. Elsewhere this may affect the whole
// process or be refused; the scan works either way.
if (nice > 0) {
  try {
    setPriority(nice);
  } catch {
    // Not permitted here: run at the normal priority.
  }
}
const windows = createSqliteWindowRepository(openSqliteReader(dbPath));

function describe(err: unknown): WorkerError {
  if (err instanceof RuleBudgetExceeded) {
    return { name: err.name, message: err.message, budgetMs: err.budgetMs, elapsedMs: err.elapsedMs };
  }
  const known = storeFailure(err);
  if (known) {
    return {
      name: known.name,
      message: known.message,
      code: known.code,
      status: known.status,
      kind: known.kind,
      ...(known.field === undefined ? {} : { field: known.field }),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

parentPort!.on('message', (req: ScanRequest) => {
  let res: ScanResponse;
  try {
    const check = threadCpuBudgetCheck(req.budgetMs);
    res = { id: req.id, ok: true, result: scanWindow(windows, req.job, check) };
  } catch (err) {
    res = { id: req.id, ok: false, error: describe(err) };
  }
  parentPort!.postMessage(res);
});
