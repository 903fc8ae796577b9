import pino, { type Logger } from 'pino';
import { createDispatcher, type DispatchedSink, type Dispatcher } from '../../src/outbox/dispatcher.ts';
import { openSinks, closeSinks, resolveSinks, sinkRoutes, type SinkConfig } from '../../src/sinks/index.ts';
import type { IncidentStore, NewIncident } from '../../src/store/types.ts';
import { TestClock, silent } from '../helpers.ts';
import { ROUTED_STORES, incident } from '../outbox/helpers.ts';

export const T0 = Date.UTC(2026, 0, 2, 8);

/** Incident n with a rule id, a description and group-by values of each kind. */
export function richIncident(n: number, over: Partial<NewIncident> = {}): NewIncident {
  const base = incident(n);
  return {
    ...base,
    severity: 3,
    fields: {
      ...base.fields,
      alertId: 'rule-17',
      description: 'Many failed SSH logins | then one success',
      severityLabel: 'HIGH',
      'groupBy.src_ip': '10.0.0.5',
      'groupBy.user': 'alice',
      'groupBy.hostname': 'web-1',
    },
    ...over,
  };
}

/** A logger that keeps every line at trace level (to check no secret is ever written). */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
  return { logger, lines };
}

interface Ctx {
  after(fn: () => unknown): void;
  skip(message?: string): void;
}

/** One configured sink, opened, over a fresh SQLite store, driven by the real dispatcher. */
export async function sinkHarness(
  t: Ctx,
  entry: Record<string, unknown>,
  env: Record<string, string>,
  logger: Logger = silent,
): Promise<{ clock: TestClock; store: IncidentStore; dispatcher: Dispatcher; config: SinkConfig }> {
  const [config] = resolveSinks([entry]);
  const clock = new TestClock(T0);
  const sinks = await openSinks([config!], { logger, clock, env });
  t.after(() => closeSinks(sinks));
  const db = (await ROUTED_STORES[0]!.open(t, sinkRoutes([config!])))!;
  const dispatcher = createDispatcher({
    outbox: db.store.outbox,
    sinks: sinks as DispatchedSink[],
    owner: 'test',
    clock,
    logger,
    random: () => 0.5,
  });
  return { clock, store: db.store, dispatcher, config: config! };
}
