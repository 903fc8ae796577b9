import { feedBody, type FeedStreamOptions } from './stream.ts';

/** Offsets older than this are refused with 416, as Akamai's SIEM API does (12 hours). */
export const OFFSET_MAX_AGE_SECONDS = 12 * 3600;

/**
 * What the feed route serves a response from: the offset age it accepts and the body. With
 * `--fault-injection` the fault wrapper (modules/admin/fault-feed.ts) shortens the age or cuts
 * bodies before their offset line; otherwise this is the store's feed as is.
 */
export interface FeedStreamer {
  offsetMaxAgeSeconds(accountId: number): number;
  body(o: FeedStreamOptions): AsyncIterable<string>;
}

export const storeFeedStreamer: FeedStreamer = {
  offsetMaxAgeSeconds: () => OFFSET_MAX_AGE_SECONDS,
  body: feedBody,
};
