import { apiError } from '../../errors.ts';
import { parseTimeArg } from '../../commands/time.ts';

/** A time the console sent (ISO 8601, epoch, "now", "<n> <unit> ago") as epoch ms, or a 400 naming the field. */
export function timeField(text: string, now: number, field: string): number {
  try {
    return parseTimeArg(text, now, field);
  } catch (err) {
    throw apiError('VALIDATION_FAILED', (err as Error).message, field);
  }
}

/** Both ends of a range, `from` strictly before `to`. */
export function timeRange(body: { from: string; to: string }, now: number): { from: number; to: number } {
  const from = timeField(body.from, now, 'body.from');
  const to = timeField(body.to, now, 'body.to');
  if (from >= to) throw apiError('VALIDATION_FAILED', 'body.from: must be before body.to', 'body.from');
  return { from, to };
}
