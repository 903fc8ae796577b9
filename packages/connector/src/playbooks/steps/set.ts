import type { Step } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';

type SetStep = Extract<Step, { kind: 'set' }>;

/** `set`: its values rendered in the step's scope become its output (`steps.<id>.output.<key>`). */
export const setExecutor: StepExecutor<SetStep> = {
  kind: 'set',
  async execute(step, ctx) {
    const output = (await ctx.render(step.values)) as Record<string, unknown>;
    return { output };
  },
};
