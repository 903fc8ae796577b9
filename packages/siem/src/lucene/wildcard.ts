/**
 * Wildcard matching without backtracking. A pattern (`*` any run, `?` one character, backslash
 * escapes) is split at its `*`s into segments of literal characters and `?`s. The first segment
 * is anchored at the start, the last at the end, and each middle one is placed at its leftmost
 * match after the previous: leftmost placement is always safe, because whatever a later
 * placement leaves for the rest, an earlier one leaves too. Work is at most
 * (text length × longest segment), with no dependence on how many `*`s there are; a RegExp
 * built from the same pattern backtracks exponentially on `M*?*?*?*?*?*?*?*?*z`.
 */
export interface WildcardMatcher {
  /** Whether the whole of `text` matches. */
  test(text: string): boolean;
}

/** One segment: characters to compare, `null` where the pattern has `?`. */
type Segment = (string | null)[];

export function wildcardMatcher(pattern: string, opts: { caseSensitive?: boolean } = {}): WildcardMatcher {
  const fold = opts.caseSensitive ? (s: string) => s : (s: string) => s.toLowerCase();
  const segments: Segment[] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) segments.at(-1)!.push(...chars(fold(pattern[++i]!)));
    else if (c === '*') {
      // A run of `*` is one `*`: consecutive empty segments add nothing.
      if (segments.at(-1)!.length > 0 || segments.length === 1) segments.push([]);
    } else if (c === '?') segments.at(-1)!.push(null);
    else segments.at(-1)!.push(...chars(fold(c)));
  }
  // Surrogate pairs come as two code units; `?` stands for one character, as with a `u` RegExp.
  if (pattern.length > 0 && /[\ud800-\udfff]/.test(pattern)) joinPairs(segments);
  const head = segments[0]!;
  const starred = segments.length > 1;
  const tail = starred ? segments.at(-1)! : null;
  const middle = starred ? segments.slice(1, -1).filter((s) => s.length > 0) : [];
  return {
    test(raw: string): boolean {
      const folded = fold(raw);
      const text: ArrayLike<string> = /[\ud800-\udfff]/.test(folded) ? Array.from(folded) : folded;
      if (!starred) return text.length === head.length && matchesAt(text, head, 0);
      if (text.length < head.length + (tail?.length ?? 0)) return false;
      if (!matchesAt(text, head, 0)) return false;
      let pos = head.length;
      for (const seg of middle) {
        const at = find(text, seg, pos, text.length - tail!.length);
        if (at < 0) return false;
        pos = at + seg.length;
      }
      const end = text.length - tail!.length;
      return end >= pos && matchesAt(text, tail!, end);
    },
  };
}

function chars(s: string): string[] {
  return s.split('');
}

function joinPairs(segments: Segment[]): void {
  for (const seg of segments) {
    for (let i = 0; i + 1 < seg.length; i++) {
      const a = seg[i];
      const b = seg[i + 1];
      if (a && b && /^[\ud800-\udbff]$/.test(a) && /^[\udc00-\udfff]$/.test(b)) seg.splice(i, 2, a + b);
    }
  }
}

function matchesAt(text: ArrayLike<string>, seg: Segment, at: number): boolean {
  for (let j = 0; j < seg.length; j++) {
    const want = seg[j];
    if (want !== null && text[at + j] !== want) return false;
  }
  return true;
}

/** Leftmost position in [from, limit - seg.length] where `seg` matches, or -1. */
function find(text: ArrayLike<string>, seg: Segment, from: number, limit: number): number {
  for (let at = from; at + seg.length <= limit; at++) if (matchesAt(text, seg, at)) return at;
  return -1;
}
