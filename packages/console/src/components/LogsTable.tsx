import { Fragment, useState } from 'react';
import { cell, fieldPaths, fieldValue, utc } from './format.ts';

/**
 * Logs as a table: `columns` (or the most common fields) as columns, each row expandable to its
 * whole JSON. `onValue` makes cell values clickable (log search adds them to the query).
 */
export function LogsTable({
  logs,
  columns,
  onValue,
  caption,
}: {
  logs: Record<string, unknown>[];
  columns?: string[];
  onValue?: (field: string, value: unknown) => void;
  caption: string;
}) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const cols = columns?.length
    ? columns
    : fieldPaths(logs)
        .filter((c) => c !== '@timestamp')
        .slice(0, 4);
  const toggle = (i: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(i)) n.delete(i);
      else n.add(i);
      return n;
    });
  return (
    <div className="table-wrap">
      <table className="logs">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Expand</span>
            </th>
            <th scope="col">@timestamp (UTC)</th>
            {cols.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {logs.map((log, i) => (
            <Fragment key={i}>
              <tr>
                <td>
                  <button
                    type="button"
                    className="expand"
                    aria-expanded={open.has(i)}
                    aria-label={`Show log ${i + 1} as JSON`}
                    onClick={() => toggle(i)}
                  >
                    {open.has(i) ? '▾' : '▸'}
                  </button>
                </td>
                <td className="nowrap">{utc(fieldValue(log, '@timestamp') as string)}</td>
                {cols.map((c) => {
                  const v = fieldValue(log, c);
                  const text = cell(v);
                  return (
                    <td key={c}>
                      {onValue && text !== '' && typeof v !== 'object' ? (
                        <button
                          type="button"
                          className="value"
                          title={`Add ${c}:"${text}" to the query`}
                          onClick={() => onValue(c, v)}
                        >
                          {text}
                        </button>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
              {open.has(i) && (
                <tr className="json-row">
                  <td colSpan={cols.length + 2}>
                    <pre data-testid="log-json">{JSON.stringify(log, null, 2)}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
