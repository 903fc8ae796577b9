/* eslint-disable @typescript-eslint/no-explicit-any -- response JSON is navigated freely in tests */
import type { TestSiem } from '../../helpers.ts';

/** Puts logs straight into the `logs` table (as the listener would), `@timestamp` from `ts`. */
export function insertLogs(
  siem: TestSiem,
  accountId: number,
  logs: { ts: number; doc: Record<string, unknown> }[],
): void {
  const stmt = siem.ctx.store.db.prepare(
    'INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, ?, ?, ?)',
  );
  siem.ctx.store.tx(() => {
    for (const l of logs) {
      const doc = { '@timestamp': new Date(l.ts).toISOString(), type: 'test', ...l.doc };
      stmt.run(accountId, l.ts, l.ts, String(doc.type), JSON.stringify(doc));
    }
  });
}

export async function search(
  siem: TestSiem,
  body: unknown,
  opts: { token?: string | null; header?: string; url?: string; raw?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? siem.logsToken : opts.token;
  if (token !== null) headers[opts.header ?? 'x-api-token'] = token;
  const res = await siem.api.inject({
    method: 'POST',
    url: opts.url ?? '/v1/search',
    headers,
    payload: opts.raw ?? JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() as Record<string, any>, headers: res.headers };
}
