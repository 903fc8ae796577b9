import { SIEM_ERRORS, type ErrorSpec } from '../src/errors.ts';

const BEGIN =
  '<!-- catalogue: generated from packages/siem/src/errors.ts (SIEM_ERRORS); test/errors.test.ts checks it -->';
const END = '<!-- end of catalogue -->';

/** The catalogue as the Markdown table docs/errors.md holds between its markers. */
export function catalogueTable(): string {
  const rows = Object.entries(SIEM_ERRORS as Record<string, ErrorSpec>).map(([code, e]) => {
    const status = [e.status, ...(e.alsoStatus ?? [])].join(', ');
    return `| \`${code}\` | ${status} | ${e.kind} | ${e.message} |`;
  });
  return [
    BEGIN,
    '',
    '| code | HTTP status | kind | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** The part of a document between the catalogue markers (markers included), or undefined. */
export function catalogueSection(doc: string): string | undefined {
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  return from < 0 || to < from ? undefined : doc.slice(from, to + END.length);
}
