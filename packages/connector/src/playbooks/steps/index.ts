import type { StepExecutor } from '../types.ts';
import { commandExecutor } from './command.ts';
import { deliverExecutor } from './deliver.ts';
import { createHttpExecutor } from './http.ts';
import { setExecutor } from './set.ts';
import { updateIncidentExecutor } from './update-incident.ts';

/**
 * Every executor step kind the engine runs (control flow is the engine's own). One file each;
 * add a kind here and the worker picks it up.
 */
export const executors: StepExecutor[] = [
  commandExecutor as unknown as StepExecutor,
  // Default transport settings (undici's global dispatcher, the default retry policy); a
  // service that needs others passes its own createHttpExecutor({...}) in `executors`.
  createHttpExecutor() as unknown as StepExecutor,
  setExecutor as unknown as StepExecutor,
  updateIncidentExecutor as unknown as StepExecutor,
  deliverExecutor as unknown as StepExecutor,
];
