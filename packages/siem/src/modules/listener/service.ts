import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import type { BulkShippingResult, RejectedLine } from '@siemlink/contracts';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SiemError, storeFailure, tooLarge } from '../../errors.ts';
import type { LogsWriter, NewLog } from '../logs/repository.ts';
import { lineToLog } from './document.ts';
import { LineSplitter, type SplitLine } from './lines.ts';

/** At most this many rejected lines are described in a response (the counters stay exact). */
const MAX_REPORTED_ERRORS = 100;

export interface BulkIngestInput {
  body: Readable;
  /** Content-Encoding header (gzip, deflate, identity or none). */
  encoding: string | undefined;
  accountId: number;
  defaultType: string;
  maxLineBytes: number;
  maxRequestBytes: number;
  /** Lines (empty ones included) one request may carry; more is a 413 and nothing is stored. */
  maxLines: number;
  /** Logs committed per transaction; the event loop gets a turn between transactions. */
  batchLines: number;
  writer: LogsWriter;
  now: () => number;
}

export type BulkIngestResult = BulkShippingResult & { stored: { first: number; last: number } };

/** Fails the stream once more than `max` bytes went through (`what` names the limit in the 413). */
function byteLimit(max: number, what: string) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let n = 0;
    for await (const chunk of source) {
      n += chunk.length;
      if (n > max) throw tooLarge(`body: ${what} is over the ${max}-byte request limit; nothing was stored`);
      yield chunk;
    }
  };
}

function decompressor(encoding: string | undefined) {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === '' || e === 'identity') return undefined;
  if (e === 'gzip' || e === 'x-gzip') return createGunzip();
  if (e === 'deflate') return createInflate();
  throw new SiemError({
    code: 'UNSUPPORTED_CONTENT_ENCODING',
    field: 'Content-Encoding',
    message: `Content-Encoding: ${e} is not supported; send gzip, deflate or identity`,
  });
}

/**
 * Streams one bulk body (decompressing on the fly, both sizes capped at `maxRequestBytes`,
 * lines capped at `maxLines`), turns each line into a log and, once the body is complete,
 * stores the good lines in transactions of `batchLines`, yielding between them so that one
 * large body never holds the store and the event loop for long. A request over a limit, cut
 * off, or with a corrupt gzip stream stores nothing. Bad lines are counted and described;
 * they never drop the good ones. A store failure after some batches names how many lines
 * were stored (a retry of the whole body then duplicates those: delivery is at-least-once).
 * Lines are split while the body streams in but parsed per batch, after it is complete.
 */
export async function ingestBulk(input: BulkIngestInput): Promise<BulkIngestResult> {
  const inflate = decompressor(input.encoding);
  const receivedAt = input.now();
  const errors: RejectedLine[] = [];
  const result = { malformedLines: 0, successfulLines: 0, oversizedLines: 0, emptyLogLines: 0 };
  const reject = (line: number, reason: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason });
  };
  // Lines are only split while the body streams in (cheap, so an over-limit body is refused
  // early); they are parsed and stored batch by batch once it is complete.
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter({
    maxLineBytes: input.maxLineBytes,
    onLine(l) {
      if (l.lineNo > input.maxLines) {
        throw new SiemError({
          code: 'TOO_MANY_LINES',
          field: 'body',
          message: `body: more than ${input.maxLines} lines; the per-request limit is ${input.maxLines} lines (split the body); nothing was stored`,
        });
      }
      lines.push(l);
    },
  });
  const parse = (l: SplitLine, good: NewLog[]) => {
    if ('oversizeBytes' in l) {
      result.oversizedLines++;
      reject(l.lineNo, `line is ${l.oversizeBytes} bytes; the per-line limit is ${input.maxLineBytes}`);
      return;
    }
    const out = lineToLog(l.text, input.defaultType, receivedAt);
    if (out.ok === 'empty') result.emptyLogLines++;
    else if (out.ok) good.push(out.log);
    else {
      result.malformedLines++;
      reject(l.lineNo, out.reason);
    }
  };
  const consume = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) splitter.push(chunk);
  };
  try {
    if (inflate) {
      await pipeline(
        input.body,
        byteLimit(input.maxRequestBytes, 'the compressed body'),
        inflate,
        byteLimit(input.maxRequestBytes, 'the decompressed body'),
        consume,
      );
    } else {
      await pipeline(input.body, byteLimit(input.maxRequestBytes, 'the body'), consume);
    }
  } catch (err) {
    if (err instanceof SiemError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code?.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
      throw new SiemError({
        code: 'INVALID_COMPRESSION',
        field: 'body',
        message: `body: not a valid ${input.encoding} stream; nothing was stored`,
        cause: err,
      });
    }
    throw err;
  }
  splitter.end();
  let first = 0;
  let last = -1;
  for (let i = 0; i < lines.length; i += input.batchLines) {
    if (i > 0) await yieldToEventLoop();
    const good: NewLog[] = [];
    for (let j = i; j < Math.min(i + input.batchLines, lines.length); j++) parse(lines[j]!, good);
    const range = store(input, good, result.successfulLines);
    result.successfulLines += good.length;
    if (range.last >= range.first) {
      if (last < 0) first = range.first;
      last = range.last;
    }
  }
  return { ...result, errors, stored: { first, last } };
}

/** One batch in one transaction; a store failure says how many lines earlier batches stored. */
function store(
  input: BulkIngestInput,
  logs: NewLog[],
  storedBefore: number,
): { first: number; last: number } {
  try {
    return input.writer.insert(input.accountId, logs, input.now());
  } catch (err) {
    const failure = storeFailure(err);
    if (!failure) throw err;
    const what = storedBefore === 0 ? 'nothing was stored' : `${storedBefore} lines were stored before it`;
    throw new SiemError({
      code: failure.code,
      status: failure.status,
      kind: failure.kind,
      message: `${failure.message}; ${what}`,
      headers: failure.headers,
      cause: err,
    });
  }
}
