import type { SiemClient } from '../../src/client/types.ts';
import type { Clock } from '../../src/context.ts';
import { createExpressions } from '../../src/playbooks/expressions/expressions.ts';
import type { RunScope, StepContext } from '../../src/playbooks/types.ts';
import { silent, TestClock } from '../helpers.ts';

/** A step context as the worker builds one, rendering with the real expression engine. */
export function stepContext(over: {
  scope?: Partial<RunScope>;
  client?: SiemClient;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  clock?: Clock;
  attempt?: number;
}): StepContext {
  const expressions = createExpressions();
  const scope: RunScope = {
    incident: null,
    inputs: {},
    steps: {},
    run: { id: 'run-1', playbook: 'test', version: 1 },
    ...over.scope,
  };
  const signal = over.signal ?? new AbortController().signal;
  const attempt = over.attempt ?? 1;
  return {
    runId: scope.run.id,
    stepId: 'call',
    item: null,
    attempt,
    idempotencyKey: `${scope.run.id}:call:-:${attempt}`,
    signal,
    clock: over.clock ?? new TestClock(Date.parse('2026-01-01T00:00:00Z')),
    logger: silent,
    scope,
    render: (template, secrets) =>
      expressions.render(template, secrets ? { ...scope, secrets } : scope, { signal }),
    client: over.client ?? ({} as SiemClient),
    env: over.env ?? {},
    sinks: [],
  };
}
