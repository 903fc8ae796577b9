import assert from 'node:assert/strict';
import { ContractServer, type ContractAnswer, type ContractRequest } from './contract-server.ts';

export const THEHIVE_KEY = 'hive-key-0123456789abcdef';
const REQUIRED = ['type', 'source', 'sourceRef', 'title', 'description'];

/**
 * TheHive 5 as documented: POST /api/v1/alert with Bearer key; (type, source, sourceRef) unique,
 * a repeat answered 400 "already exists"; 201 with the alert and its `_id`; /api/v1/query finds
 * an alert by sourceRef.
 */
export class TheHiveServer extends ContractServer {
  alerts = new Map<string, Record<string, unknown> & { _id: string }>();
  duplicates = 0;
  /** Create the next N alerts, then drop the connection instead of answering. */
  dropAfterCreate = 0;
  constructor() {
    super((r) => this.contract(r));
  }
  private contract(r: ContractRequest): ContractAnswer {
    assert.equal(r.method, 'POST');
    if (r.headers.authorization !== `Bearer ${THEHIVE_KEY}`) {
      return { status: 401, body: { type: 'AuthenticationError', message: 'Authentication failure' } };
    }
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.headers['x-organisation'], 'soc');
    const b = r.json as Record<string, unknown>;
    if (r.path.startsWith('/api/v1/query')) {
      const filter = (
        b.query as { _name: string; _and?: { _eq: { _field: string; _value: string } }[] }[]
      )[1]!;
      const ref = filter._and!.find((c) => c._eq._field === 'sourceRef')!._eq._value;
      const a = [...this.alerts.values()].find((x) => x.sourceRef === ref);
      return { status: 200, body: a ? [a] : [] };
    }
    assert.equal(r.path, '/api/v1/alert');
    for (const f of REQUIRED) {
      if (typeof b[f] !== 'string' || !b[f]) {
        return { status: 400, body: { type: 'BadRequest', message: `Missing attribute alert.${f}` } };
      }
    }
    assert.ok([1, 2, 3, 4].includes(b.severity as number), 'severity 1..4');
    if (b.customFields !== undefined) {
      // The v1 API's InputCustomFieldValue list: {name, value, order?}.
      assert.ok(Array.isArray(b.customFields), 'customFields: a list');
      for (const f of b.customFields as Record<string, unknown>[]) {
        assert.equal(typeof f.name, 'string', 'customFields[].name');
        assert.ok('value' in f, 'customFields[].value');
        if (f.order !== undefined) assert.ok(Number.isInteger(f.order), 'customFields[].order');
      }
    }
    const key = `${String(b.type)}|${String(b.source)}|${String(b.sourceRef)}`;
    if (this.alerts.has(key)) {
      this.duplicates++;
      return { status: 400, body: { type: 'CreateError', message: `Alert ${key} already exists` } };
    }
    const alert = { ...b, _id: `~${4096 + this.alerts.size}` };
    this.alerts.set(key, alert);
    if (this.dropAfterCreate > 0) {
      this.dropAfterCreate--;
      return { status: 201, drop: true };
    }
    return { status: 201, body: alert };
  }
}
