import type { StepExecutor } from '../types.ts';
import { commandExecutor } from './command.ts';
import { deliverExecutor } from './deliver.ts';
import { createHttpExecutor, type HttpExecutorOptions } from './http.ts';
import { setExecutor } from './set.ts';
import { updateIncidentExecutor } from './update-incident.ts';

/**
 * Every executor step kind the engine runs (control flow is the engine's own). One file each;
 * add a kind here and the worker picks it up. `http` goes out through the given connection
 * settings: `up` and `siemlink worker` pass the Logz.io client's (`client.outbound`: proxy, CA,
 * timeout, retry policy).
 */
export function createExecutors(http: HttpExecutorOptions = {}): StepExecutor[] {
  return [
    commandExecutor as unknown as StepExecutor,
    createHttpExecutor(http) as unknown as StepExecutor,
    setExecutor as unknown as StepExecutor,
    updateIncidentExecutor as unknown as StepExecutor,
    deliverExecutor as unknown as StepExecutor,
  ];
}

/** With default connection settings (undici's global dispatcher): tests and `playbooks test`. */
export const executors: StepExecutor[] = createExecutors();
