import { parentPort } from 'node:worker_threads';
import { ConnectorError, FeedTruncatedError } from '../../errors.ts';
import { FeedBatcher } from './batcher.ts';
import type { DecodeFailure, FromDecoder, ToDecoder } from './protocol.ts';

/**
 * The feed decoder's thread: splits, parses, maps and serialises a response's events while the
 * main thread commits the batches before them (decoder.ts). It holds no store and no cursor:
 * what it answers is committed, or not, by the main thread alone (DESIGN rules 1-3 unchanged).
 */
const port = parentPort!;
let seq = -1;
let batcher: FeedBatcher | null = null;

const send = (m: FromDecoder) => port.postMessage(m);

function failure(err: unknown): DecodeFailure {
  if (err instanceof ConnectorError) {
    const cause = (err.cause as Error | undefined)?.message;
    return {
      code: err.code,
      kind: err.kind,
      message: err.message,
      ...(err instanceof FeedTruncatedError ? { eventsRead: err.eventsRead } : {}),
      ...(cause ? { cause } : {}),
    };
  }
  return { code: 'FEED_DECODER_FAILED', kind: 'system', message: String((err as Error)?.stack ?? err) };
}

port.on('message', (m: ToDecoder) => {
  if (m.t === 'start') {
    seq = m.seq;
    batcher = new FeedBatcher(m.opts, m.state);
    return;
  }
  if (m.seq !== seq || !batcher) return;
  const b = batcher;
  try {
    if (m.t === 'chunk') send({ t: 'chunk', seq, batches: b.push(m.data) });
    else if (m.t === 'end') {
      send({ t: 'end', seq, batches: b.end() });
      batcher = null;
    } else {
      send({ t: 'cut', seq, batch: b.cut(), events: b.events });
      batcher = null;
    }
  } catch (err) {
    // A body that ended without its context: what was whole is committed, as for a cut body.
    if (err instanceof FeedTruncatedError) {
      const cause = err.cause === undefined ? undefined : failure(err.cause);
      send({ t: 'cut', seq, batch: b.cut(), events: err.eventsRead, ...(cause ? { cause } : {}) });
    } else send({ t: 'error', seq, error: failure(err) });
    batcher = null;
  }
});
