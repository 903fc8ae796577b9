import type { StepExecutor } from '../types.ts';
import { deliverExecutor } from './deliver.ts';
import { updateIncidentExecutor } from './update-incident.ts';

/**
 * Every executor step kind the engine runs (control flow is the engine's own). One file each;
 * add a kind here and the worker picks it up.
 */
export const executors: StepExecutor[] = [
  updateIncidentExecutor as unknown as StepExecutor,
  deliverExecutor as unknown as StepExecutor,
];
