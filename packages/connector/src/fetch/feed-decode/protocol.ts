import type { BatchOptions, BatcherState, DecodedBatch } from './batcher.ts';

/**
 * The messages between the feed decoder (decoder.ts) and its thread (worker.ts). Every message
 * names the response (`seq`) it belongs to: a response abandoned half-way (its run aborted)
 * leaves answers behind that the next one ignores.
 */
export type ToDecoder =
  /** A response's remaining body is decoded here from `state` on (the first part was in-process). */
  | { t: 'start'; seq: number; opts: BatchOptions; state: BatcherState }
  | { t: 'chunk'; seq: number; data: Uint8Array }
  /** The body ended cleanly. */
  | { t: 'end'; seq: number }
  /** The body broke off: answer what was read whole. */
  | { t: 'cut'; seq: number };

export type FromDecoder =
  /** A chunk was decoded: the batches it completed (often none). */
  | { t: 'chunk'; seq: number; batches: DecodedBatch[] }
  /** The body's last batches, the final one with its context. */
  | { t: 'end'; seq: number; batches: DecodedBatch[] }
  /** What was read whole of a body that broke off (or ended without its context line: `cause`). */
  | { t: 'cut'; seq: number; batch: DecodedBatch; events: number; cause?: DecodeFailure }
  | { t: 'error'; seq: number; error: DecodeFailure };

/** A ConnectorError as it crosses threads. */
export interface DecodeFailure {
  code: string;
  kind: string;
  message: string;
  /** FEED_TRUNCATED's events read. */
  eventsRead?: number;
  cause?: string;
}
