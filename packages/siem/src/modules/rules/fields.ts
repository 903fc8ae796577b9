import { fieldValues as walkFieldValues } from '../../lucene/text.ts';

/**
 * Field access on log documents. Shippers send both nested objects (`{"user":{"name":"x"}}`) and
 * flat dotted keys (`{"user.name":"x"}`), so a path is tried as a literal key first, then walked.
 * Arrays fan out: the result is every value found.
 */
export function fieldValues(doc: unknown, path: string): unknown[] {
  return walkFieldValues(doc, path, true);
}

/** The first scalar value of a field as a string (group-by keys), or undefined when missing. */
export function fieldString(doc: unknown, path: string): string | undefined {
  for (const v of fieldValues(doc, path)) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

/** Every numeric value of a field (numbers, or strings that are plain numbers). */
export function fieldNumbers(doc: unknown, path: string): number[] {
  const out: number[] = [];
  for (const v of fieldValues(doc, path)) {
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) out.push(Number(v));
  }
  return out;
}
