import { CONNECTOR_ERRORS, type ErrorSpec } from '../src/errors.ts';

const BEGIN =
  '<!-- catalogue: generated from packages/connector/src/errors.ts (CONNECTOR_ERRORS); test/errors.test.ts checks it -->';
const END = '<!-- end of catalogue -->';

/** The catalogue as the Markdown table docs/connector-errors.md holds between its markers. */
export function catalogueTable(): string {
  const rows = Object.entries(CONNECTOR_ERRORS as Record<string, ErrorSpec>).map(([code, e]) => {
    const status = [e.status, ...(e.alsoStatus ?? [])].join(', ');
    return `| \`${code}\` | ${status} | ${e.kind} | ${e.origin} | ${e.message} |`;
  });
  return [
    BEGIN,
    '',
    '| code | HTTP status | kind | where | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** The part of a document between the catalogue markers (markers included), or undefined. */
export function catalogueSection(doc: string): string | undefined {
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END, from);
  return from < 0 || to < from ? undefined : doc.slice(from, to + END.length);
}
