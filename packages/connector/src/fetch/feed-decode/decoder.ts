import type { Logger } from 'pino';
import type { FeedBody, FeedItem } from '../../client/types.ts';
import { ConnectorError, FeedTruncatedError, isConnectorErrorCode, type ErrorKind } from '../../errors.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../../client/feed-lines.ts';
import { FeedBatcher, type BatchOptions, type BatcherState, type DecodedBatch } from './batcher.ts';
import type { DecodeFailure, FromDecoder, ToDecoder } from './protocol.ts';

/** A feed response as the client gives it: its raw body, or events it parsed itself. */
export type FeedSource = FeedBody | { items: AsyncIterable<FeedItem> };

/**
 * Turns a feed response into batches to commit (FeedBatcher), as it streams. The response's first
 * batch is decoded in-process; when the body goes on past it, the rest is decoded on a thread of
 * its own, kept until `release`, while the main thread commits the batches before: the store's
 * writes, most of a drain, then overlap the parsing, mapping and serialising
 * (bench/feed-store.ts). The thread is started only once `startAfterEvents` have been read
 * since the feed last caught up (a backlog); a trickle of short responses never starts it. The
 * thread holds at most `IN_FLIGHT_BYTES` of body, and decoded batches wait at most that much: the
 * body is not read while the caller holds a batch (backpressure, as before).
 *
 * Only decoding moves: what to commit, and the cursor, stay with the caller (DESIGN rules 1-3).
 * Errors are the same either way (FEED_TRUNCATED with what was whole first, BAD_RESPONSE,
 * FEED_LINE_TOO_LARGE). A thread that dies fails the run (FEED_DECODER_FAILED) and the decoder
 * goes on in-process. One per fetch loop or command (no singleton).
 */
export interface FeedDecoder {
  decode(source: FeedSource, opts: BatchOptions, signal?: AbortSignal): AsyncGenerator<DecodedBatch>;
  /** Lets the thread go (the feed caught up); the next backlog starts another. */
  release(): Promise<void>;
  /** Threads started and batches they decoded so far (logs, tests). */
  stats(): { threadStarts: number; threadBatches: number };
  close(): Promise<void>;
}

/**
 * A backlog this long is worth a thread: starting one costs ~35-50 ms of CPU and ~17 MB, what
 * decoding ~3,000-4,000 events in-process costs; a steady trickle (a short response a minute,
 * each run caught up) never starts one.
 */
export const START_AFTER_EVENTS = 2000;

/** Body bytes handed to the thread and not decoded yet (about four batches of 250 events). */
export const IN_FLIGHT_BYTES = 1024 * 1024;

export function createFeedDecoder(opts: {
  logger: Logger;
  /**
   * Decode a backlog past a response's first batch on a thread (`fetch.feedDecodeThread`). No
   * default: a thread costs memory and CPU a caller must have chosen to spend.
   */
  threads: boolean;
  /**
   * Events read in-process since the feed last caught up (`release`) before a thread is started
   * (default START_AFTER_EVENTS): a backlog, in one long response or in several back to back. A
   * running thread takes each response over after its first batch.
   */
  startAfterEvents?: number;
  /**
   * The thread's module (tests). By default worker.ts beside this file; in the CLI bundle too,
   * which keeps this URL relative to the source file (the thread loads its few modules from source).
   */
  workerUrl?: URL;
}): FeedDecoder {
  let threads = opts.threads;
  const startAfter = opts.startAfterEvents ?? START_AFTER_EVENTS;
  /** Events decoded in-process since the last `release` (the feed caught up). */
  let readSince = 0;
  let worker: DecoderThread | null = null;
  let seq = 0;
  const counts = { threadStarts: 0, threadBatches: 0 };

  const thread = (heapMb: number): DecoderThread => {
    if (worker && !worker.dead && worker.heapMb >= heapMb) return worker;
    void worker?.stop();
    counts.threadStarts++;
    worker = startThread(opts.workerUrl ?? new URL('./worker.ts', import.meta.url), heapMb, (err) => {
      threads = false;
      opts.logger.warn({ err }, 'feed decoder thread failed; decoding in-process from now on');
    });
    return worker;
  };

  async function* decode(
    source: FeedSource,
    batchOpts: BatchOptions,
    signal?: AbortSignal,
  ): AsyncGenerator<DecodedBatch> {
    const batcher = new FeedBatcher(batchOpts);
    if ('items' in source) {
      try {
        for await (const item of source.items) {
          batcher.item(item);
          yield* batcher.take();
        }
      } catch (err) {
        // What was whole comes first, as with a body (the caller commits it on FEED_TRUNCATED).
        if (err instanceof FeedTruncatedError) yield batcher.cut();
        throw err;
      }
      yield* batcher.take();
      return;
    }
    const body = source.body[Symbol.asyncIterator]();
    try {
      let batches = 0;
      for (;;) {
        const running = worker !== null && !worker.dead;
        if (threads && batches > 0 && (running || readSince + batcher.events >= startAfter)) {
          const rest = onThread(
            thread(oldGenerationMb(batchOpts)),
            ++seq,
            body,
            batchOpts,
            batcher.state(),
            signal,
          );
          for await (const b of rest) {
            counts.threadBatches++;
            yield b;
          }
          return;
        }
        let r: Uint8Array | null;
        try {
          r = await readBody(body);
        } catch (err) {
          if (!(err instanceof BodyBrokeOff)) throw err;
          yield batcher.cut();
          throw new FeedTruncatedError(batcher.events, err.reason);
        }
        if (r === null) break;
        for (const b of batcher.push(r)) {
          batches++;
          yield b;
        }
      }
      let last: DecodedBatch[];
      try {
        last = batcher.end();
      } catch (err) {
        if (err instanceof FeedTruncatedError) yield batcher.cut();
        throw err;
      }
      yield* last;
    } finally {
      readSince += batcher.events;
      // An abandoned response (an aborted run) lets its connection go.
      await body.return?.();
    }
  }

  const release = async () => {
    readSince = 0;
    const w = worker;
    worker = null;
    await w?.stop();
  };
  return { decode, release, close: release, stats: () => ({ ...counts }) };
}

/**
 * The next chunk of a body, null at its end. A body that breaks off throws BodyBrokeOff (the
 * caller yields what was whole, then FEED_TRUNCATED); a ConnectorError passes as it is.
 */
async function readBody(body: AsyncIterator<Uint8Array>): Promise<Uint8Array | null> {
  try {
    const r = await body.next();
    return r.done ? null : r.value;
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    throw new BodyBrokeOff(err);
  }
}

/** A body read failure, turned into FEED_TRUNCATED once what was whole is yielded. */
class BodyBrokeOff extends Error {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('feed body broke off');
    this.reason = reason;
  }
}

/** The rest of a response, decoded on the thread from `state` on. */
async function* onThread(
  t: DecoderThread,
  seq: number,
  body: AsyncIterator<Uint8Array>,
  opts: BatchOptions,
  state: BatcherState,
  signal?: AbortSignal,
): AsyncGenerator<DecodedBatch> {
  const answers = t.listen(seq);
  try {
    t.post({ t: 'start', seq, opts, state });
    let inFlight = 0;
    let bodyDone = false;
    let broke: BodyBrokeOff | undefined;
    const ready: DecodedBatch[] = [];
    for (;;) {
      for (let m = answers.take(); m; m = answers.take()) {
        if (m.t === 'error') throw rebuild(m.error);
        if (m.t === 'chunk') {
          inFlight -= answers.bytes.shift() ?? 0;
          ready.push(...m.batches);
        } else if (m.t === 'end') {
          yield* ready.splice(0);
          yield* m.batches;
          return;
        } else {
          yield* ready.splice(0);
          yield m.batch;
          if (broke instanceof BodyBrokeOff) throw new FeedTruncatedError(m.events, broke.reason);
          throw new FeedTruncatedError(m.events, m.cause ? rebuild(m.cause) : undefined);
        }
      }
      if (ready.length > 0) {
        // The thread decodes what it holds while the caller commits this.
        yield ready.shift()!;
        continue;
      }
      if (!bodyDone && inFlight < IN_FLIGHT_BYTES) {
        signal?.throwIfAborted();
        let chunk: Uint8Array | null;
        try {
          chunk = await readBody(body);
        } catch (err) {
          if (!(err instanceof BodyBrokeOff)) throw err;
          broke = err;
          bodyDone = true;
          t.post({ t: 'cut', seq });
          continue;
        }
        if (chunk === null) {
          bodyDone = true;
          t.post({ t: 'end', seq });
          continue;
        }
        // A copy of just this chunk, moved (not cloned) to the thread.
        const copy = new Uint8Array(chunk);
        inFlight += copy.byteLength;
        answers.bytes.push(copy.byteLength);
        t.post({ t: 'chunk', seq, data: copy }, [copy.buffer]);
        continue;
      }
      await answers.next();
    }
  } finally {
    answers.close();
  }
}

function rebuild(f: DecodeFailure): ConnectorError {
  const cause = f.cause === undefined ? undefined : new Error(f.cause);
  if (f.code === 'FEED_TRUNCATED') return new FeedTruncatedError(f.eventsRead ?? 0, cause);
  return new ConnectorError({
    code: isConnectorErrorCode(f.code) ? f.code : 'FEED_DECODER_FAILED',
    kind: f.kind as ErrorKind,
    message: f.message,
    cause,
  });
}

/** The decoder's thread, as the main side sees it. */
interface DecoderThread {
  readonly dead: boolean;
  /** Its old generation's limit (oldGenerationMb). */
  readonly heapMb: number;
  post(m: ToDecoder, transfer?: ArrayBuffer[]): void;
  /** The answers to response `seq`, in order (one response at a time). */
  listen(seq: number): Answers;
  stop(): Promise<void>;
}

interface Answers {
  take(): FromDecoder | undefined;
  /** Resolves when an answer is there to take; rejects when the thread died. */
  next(): Promise<void>;
  /** Sizes of the chunks posted and not answered yet, oldest first. */
  bytes: number[];
  close(): void;
}

/**
 * A limit, not a reservation: room for one batch's events and incidents (~6 KB an event at most)
 * and for the longest line the reader allows (its bytes, string and parsed objects), beside the
 * thread's own few MB. A heap that ran out would fail the run (FEED_DECODER_FAILED).
 */
function oldGenerationMb(opts: BatchOptions): number {
  const line = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  return 24 + Math.ceil((opts.perCommit * 6 * 1024 + 4 * line) / (1024 * 1024));
}

/**
 * The thread loads its modules from source: from the process's compile cache they come compiled,
 * else Node strips their types at every start (~100 ms of CPU and ~25 MB for the stripper). A
 * cache enabled in-process (`module.enableCompileCache()`, as the `siemlink` launcher does) is
 * not the thread's: it gets it as the variable a thread reads.
 */
function threadEnv(): NodeJS.ProcessEnv {
  const dir = process.getBuiltinModule('node:module').getCompileCacheDir();
  if (!dir || process.env.NODE_COMPILE_CACHE) return process.env;
  // The cache's folder is <NODE_COMPILE_CACHE>/<Node version and flags>.
  return { ...process.env, NODE_COMPILE_CACHE: process.getBuiltinModule('node:path').dirname(dir) };
}

function startThread(url: URL, heapMb: number, onDeath: (err: ConnectorError) => void): DecoderThread {
  // A small heap (a connector's RSS is bounded, bench/feed-store.ts): the thread holds a few
  // chunks and one batch at a time.
  // Loaded here, not at import: a one-shot command that never starts the thread does not pay for it.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const w = new Worker(url, {
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: heapMb },
    env: threadEnv(),
  });
  // Never what keeps a process alive: a command exits when its work is done.
  w.unref();
  let dead: ConnectorError | null = null;
  let current: { seq: number; queue: FromDecoder[]; wake: (() => void) | null } | null = null;
  const die = (cause: unknown) => {
    if (dead) return;
    dead = new ConnectorError({
      code: 'FEED_DECODER_FAILED',
      message: `the feed decoder thread stopped: ${(cause as Error)?.message ?? String(cause)}`,
      cause,
    });
    onDeath(dead);
    current?.wake?.();
  };
  w.on('message', (m: FromDecoder) => {
    if (!current || m.seq !== current.seq) return;
    current.queue.push(m);
    current.wake?.();
  });
  w.on('error', die);
  w.on('exit', (code) => die(new Error(`exited with code ${code}`)));
  let stopping = false;
  return {
    heapMb,
    get dead() {
      return dead !== null || stopping;
    },
    post(m, transfer) {
      if (dead) throw dead;
      w.postMessage(m, transfer ?? []);
    },
    listen(seq) {
      const mine = { seq, queue: [] as FromDecoder[], wake: null as (() => void) | null };
      current = mine;
      return {
        bytes: [],
        take: () => {
          if (mine.queue.length === 0 && dead) throw dead;
          return mine.queue.shift();
        },
        next: () =>
          new Promise<void>((resolve, reject) => {
            if (dead) return reject(dead);
            if (mine.queue.length > 0) return resolve();
            mine.wake = () => {
              mine.wake = null;
              if (dead && mine.queue.length === 0) reject(dead);
              else resolve();
            };
          }),
        close: () => {
          if (current === mine) current = null;
        },
      };
    },
    async stop() {
      stopping = true;
      w.removeAllListeners('exit');
      await w.terminate();
    },
  };
}
