import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { DispatchedSink } from '../outbox/dispatcher.ts';
import type { SinkConfig } from './config.ts';
import { sinkKind } from './registry.ts';

/** Opens every configured sink; on a failure closes the ones already open and rethrows. */
export async function openSinks(
  configs: readonly SinkConfig[],
  ctx: { logger: Logger; clock: Clock; env: Record<string, string | undefined> },
): Promise<DispatchedSink[]> {
  const out: DispatchedSink[] = [];
  try {
    for (const c of configs) {
      const def = sinkKind(c.kind)!;
      const instance = await def.create(c.settings as never, {
        name: c.name,
        logger: ctx.logger.child({ sink: c.name }),
        clock: ctx.clock,
        env: ctx.env,
      });
      out.push({
        name: c.name,
        instance,
        concurrency: c.concurrency,
        batchSize: c.batchSize,
        ordered: c.ordered,
        leaseMs: c.leaseMs,
        timeoutMs: c.timeoutMs,
        retry: c.retry,
      });
    }
  } catch (err) {
    await closeSinks(out);
    throw err;
  }
  return out;
}

export async function closeSinks(sinks: readonly DispatchedSink[]): Promise<void> {
  await Promise.allSettled(sinks.map((s) => s.instance.close()));
}
