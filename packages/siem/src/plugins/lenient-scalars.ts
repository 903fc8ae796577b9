import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { badRequest, type SiemError } from '../errors.ts';

/** The part of a JSON schema this walk reads (TypeBox emits plain JSON Schema). */
interface SchemaNode {
  type?: string | string[];
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

/** JSON types a schema admits, or undefined when it admits anything (no `type` anywhere). */
export function schemaTypes(node: object | undefined): Set<string> | undefined {
  const schema = node as SchemaNode | undefined;
  if (!schema) return undefined;
  if (schema.type !== undefined) return new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (!schema.anyOf) return undefined;
  const all = new Set<string>();
  for (const member of schema.anyOf) {
    const types = schemaTypes(member);
    if (!types) return undefined;
    for (const t of types) all.add(t);
  }
  return all;
}

function propertySchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  const own = schema.properties?.[key];
  if (own) return own;
  const pattern = schema.patternProperties && Object.values(schema.patternProperties)[0];
  if (pattern) return pattern;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function objectSchema(schema: SchemaNode | undefined): SchemaNode | undefined {
  if (!schema) return undefined;
  if (schema.properties || schema.patternProperties || typeof schema.additionalProperties === 'object') {
    return schema;
  }
  return schema.anyOf?.find((m) => m.properties || m.patternProperties);
}

function wrongBoolean(path: string, types: Set<string>): SiemError {
  const want = [...types].filter((t) => t !== 'null').join(' or ');
  return badRequest(path, `must be a ${want}, not a boolean`, 'VALIDATION_FAILED');
}

/**
 * Real clients' loose values, settled before the validator coerces them:
 * - `""` where the schema wants a number, integer or boolean means "absent" (an empty form
 *   field); the key is removed, so a default applies and a required field is still a 400.
 * - a boolean where the schema wants a number, integer or string is a 400 naming the field; Ajv's
 *   coercion would otherwise read `true` as `1` or `"true"`, a meaning the client never had.
 * Numeric strings ("50") and numbers for strings stay accepted (Ajv coerces them).
 */
export function settleLooseScalars(value: unknown, node: object | undefined, path: string): void {
  const schema = node as SchemaNode | undefined;
  if (value === null || typeof value !== 'object' || !schema) return;
  if (Array.isArray(value)) {
    const items = schema.items ?? schema.anyOf?.find((m) => m.items)?.items;
    if (!items) return;
    const types = schemaTypes(items);
    value.forEach((item, i) => {
      if (typeof item === 'boolean' && types && !types.has('boolean'))
        throw wrongBoolean(`${path}.${i}`, types);
      settleLooseScalars(item, items, `${path}.${i}`);
    });
    return;
  }
  const obj = objectSchema(schema);
  if (!obj) return;
  const record = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(record)) {
    const child = propertySchema(obj, key);
    const types = schemaTypes(child);
    if (!types) continue;
    if (v === '' && !types.has('string')) delete record[key];
    else if (typeof v === 'boolean' && !types.has('boolean')) throw wrongBoolean(`${path}.${key}`, types);
    else settleLooseScalars(v, child, `${path}.${key}`);
  }
}

/**
 * Installs the rules above on every route's body, and for query strings drops every empty
 * parameter (`?offset=&from=...`: Python clients that default a parameter to '' send it so).
 * Runs at preValidation, after nulls were stripped. Installed once at the app's root.
 */
export const lenientScalarsPlugin = fp(settleLooseInput, {
  name: 'siemlink-lenient-scalars',
  // Its preValidation hook must run after nulls were stripped (hooks run in registration order).
  dependencies: ['siemlink-strip-nulls'],
});

async function settleLooseInput(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as { body?: SchemaNode; querystring?: SchemaNode } | undefined;
    if (!schema) return;
    const query = request.query as Record<string, unknown> | undefined;
    if (schema.querystring && query && typeof query === 'object') {
      for (const [key, v] of Object.entries(query)) if (v === '') delete query[key];
    }
    if (schema.body) settleLooseScalars(request.body, schema.body, 'body');
  });
}
