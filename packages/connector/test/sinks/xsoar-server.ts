import assert from 'node:assert/strict';
import { ContractServer, type ContractAnswer, type ContractRequest } from './contract-server.ts';

export const XSOAR_KEY = 'xsoar-key-ABCDEF0123456789';

/** The properties of XSOAR's UpdateDataBatch (demisto-py server_api_swagger.json). */
const UPDATE_DATA_BATCH = [
  'CustomFields',
  'all',
  'closeNotes',
  'closeReason',
  'columns',
  'data',
  'filter',
  'force',
  'ids',
  'line',
  'originalIncidentId',
  'overrideInvestigation',
];

/**
 * Cortex XSOAR's REST API as documented: the key in Authorization (a bad one: 401), XSOAR 8 also
 * x-xdr-auth-id and the /xsoar/public/v1 prefix; POST /incidents/search {filter: {query, page,
 * size}} answers {total, data}; POST /incident creates and answers the incident with its id;
 * POST /incident/batch takes an UpdateDataBatch ({data, CustomFields}) and answers {total, data}.
 */
export class XsoarServer extends ContractServer {
  incidents: (Record<string, unknown> & { id: string })[] = [];
  /** The path each incident was created through. */
  created: string[] = [];
  /** Searches that found the incident already there (a redelivery recognised). */
  searchHits = 0;
  /** Create, then answer 500 (the incident exists but the caller does not know). */
  failAfterCreate = 0;
  /** Create, then drop the connection before answering. */
  dropAfterCreate = 0;
  readonly v8: boolean;
  constructor(v8: boolean) {
    super((r) => this.contract(r));
    this.v8 = v8;
  }
  private contract(r: ContractRequest): ContractAnswer {
    assert.equal(r.method, 'POST');
    if (r.headers.authorization !== XSOAR_KEY) {
      return {
        status: 401,
        body: { id: 'unauthorized', status: 401, title: 'Unauthorized', detail: 'Issue with API key' },
      };
    }
    const prefix = this.v8 ? '/xsoar/public/v1' : '';
    if (this.v8) assert.equal(r.headers['x-xdr-auth-id'], '17');
    else assert.equal(r.headers['x-xdr-auth-id'], undefined);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const b = r.json as Record<string, unknown>;
    if (r.path === `${prefix}/incidents/search`) {
      const f = b.filter as { query: string; page: number; size: number };
      assert.equal(f.page, 0);
      assert.equal(f.size, 1);
      const m = /^logzioalerteventid:"(.*)"$/.exec(f.query);
      assert.ok(m, `query on the custom field: ${f.query}`);
      const hit = this.incidents.filter(
        (i) => (i.CustomFields as Record<string, unknown>).logzioalerteventid === m[1],
      );
      if (hit.length) this.searchHits++;
      return { status: 200, body: { total: hit.length, data: hit.length ? hit : null } };
    }
    let fields: Record<string, unknown>;
    if (r.path === `${prefix}/incident/batch`) {
      // UpdateDataBatch: the incident's fields under `data`, custom fields under `CustomFields`.
      const keys = Object.keys(b).filter((k) => !UPDATE_DATA_BATCH.includes(k));
      assert.deepEqual(keys, [], `keys outside UpdateDataBatch: ${keys.join(', ')}`);
      assert.ok(b.data && typeof b.data === 'object', 'data: the incident fields');
      assert.equal((b.data as Record<string, unknown>).CustomFields, undefined, 'CustomFields beside data');
      fields = { ...(b.data as Record<string, unknown>), CustomFields: b.CustomFields ?? {} };
    } else {
      assert.equal(r.path, `${prefix}/incident`);
      fields = b;
    }
    for (const f of ['name', 'type', 'occurred', 'rawJSON']) assert.equal(typeof fields[f], 'string', f);
    assert.ok([0, 0.5, 1, 2, 3, 4].includes(fields.severity as number));
    assert.ok(Array.isArray(fields.labels));
    assert.ok(fields.CustomFields && typeof fields.CustomFields === 'object', 'CustomFields');
    const created = { ...fields, id: String(100 + this.incidents.length) };
    this.incidents.push(created);
    this.created.push(r.path);
    if (this.dropAfterCreate > 0) {
      this.dropAfterCreate--;
      return { status: 200, drop: true };
    }
    if (this.failAfterCreate > 0) {
      this.failAfterCreate--;
      return { status: 500, body: { error: 'internal error' } };
    }
    // /incident answers the incident; /incident/batch an IncidentSearchResponseWrapper.
    return {
      status: 200,
      body: r.path.endsWith('/batch') ? { total: 1, data: [created] } : created,
    };
  }
}
