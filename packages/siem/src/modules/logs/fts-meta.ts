/**
 * The `meta` column of `logs_fts` (migration 011): a few tokens per log naming its account and
 * the UTC day and hour of its `ts`, plus `nonascii` for logs whose text FTS5 and our tokenizer
 * may split differently. With them an FTS5 expression can say "in this account and window"
 * itself, so a count over the window reads only the index, never a `logs` row.
 *
 * Token spellings (the migration's trigger computes the same in SQL; a test checks both agree):
 * `a<account>d<day>` and `a<account>h<hour>`, where day/hour are `floor(ts / unit)` plus an
 * offset that keeps them positive for every timestamp the listener accepts (|ts| <= 8.64e15).
 */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const DAY_OFFSET = 200_000_000;
export const HOUR_OFFSET = 3_000_000_000;
export const NON_ASCII_TOKEN = 'nonascii';

export const dayToken = (accountId: number, day: number) => `a${accountId}d${day + DAY_OFFSET}`;
export const hourToken = (accountId: number, hour: number) => `a${accountId}h${hour + HOUR_OFFSET}`;

/** A part of a window no token covers exactly: its hour token, and the `ts` bounds to check. */
export interface WindowEdge {
  token: string;
  from: number;
  to: number;
}

/**
 * Tokens whose logs are exactly those of the account in `[from, to)` (whole days, then whole
 * hours), and at most two edges: partial hours whose logs must be checked against `ts`.
 */
export function windowCover(
  accountId: number,
  from: number,
  to: number,
): { cover: string[]; edges: WindowEdge[] } {
  const cover: string[] = [];
  const edges: WindowEdge[] = [];
  if (from >= to) return { cover, edges };
  const firstHour = Math.floor(from / HOUR_MS);
  const lastHour = Math.floor((to - 1) / HOUR_MS);
  if (firstHour === lastHour) {
    const whole = from === firstHour * HOUR_MS && to === (firstHour + 1) * HOUR_MS;
    if (whole) cover.push(hourToken(accountId, firstHour));
    else edges.push({ token: hourToken(accountId, firstHour), from, to });
    return { cover, edges };
  }
  // Whole hours are [h0, h1); a partial first or last hour becomes an edge.
  let h0 = firstHour;
  if (from !== firstHour * HOUR_MS) {
    edges.push({ token: hourToken(accountId, firstHour), from, to: (firstHour + 1) * HOUR_MS });
    h0++;
  }
  let h1 = lastHour + 1;
  if (to !== h1 * HOUR_MS) {
    edges.push({ token: hourToken(accountId, lastHour), from: lastHour * HOUR_MS, to });
    h1--;
  }
  for (let h = h0; h < h1;) {
    if (h % 24 === 0 && h + 24 <= h1) {
      cover.push(dayToken(accountId, h / 24));
      h += 24;
    } else {
      cover.push(hourToken(accountId, h));
      h++;
    }
  }
  return { cover, edges };
}

/** Hour tokens of the window, newest first for `desc`, with each hour's `ts` bounds inside it. */
export function windowHours(
  accountId: number,
  from: number,
  to: number,
  order: 'asc' | 'desc',
): WindowEdge[] {
  const out: WindowEdge[] = [];
  if (from >= to) return out;
  for (let h = Math.floor(from / HOUR_MS); h * HOUR_MS < to; h++) {
    out.push({
      token: hourToken(accountId, h),
      from: Math.max(from, h * HOUR_MS),
      to: Math.min(to, (h + 1) * HOUR_MS),
    });
  }
  return order === 'desc' ? out.reverse() : out;
}

/** An FTS5 expression restricted to the `meta` tokens given (`meta : (t1 OR t2 ...)`). */
export const metaAny = (tokens: readonly string[]) => `meta : (${tokens.join(' OR ')})`;
