import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { PLAYBOOK_LOAD_CODES } from '../../errors.ts';
import type { LoadError } from '../types.ts';
import {
  CommandStep,
  DeliverStep,
  EndStep,
  FailStep,
  ForeachBody,
  ForeachStep,
  HttpStep,
  ManualStep,
  Playbook,
  PlaybookStep,
  SetStep,
  SwitchStep,
  UpdateIncidentStep,
  WaitStep,
} from './schema.ts';

/** A YAML document and where each of its values is, so every error can name its line. */
export interface ParsedFile {
  file: string;
  /** The line (1-based) of the value at `path`, or of its nearest ancestor that exists. */
  lineOf(path: readonly (string | number)[]): number | null;
  value: unknown;
}

export function parseYaml(file: string, text: string): { parsed?: ParsedFile; errors: LoadError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        step: null,
        code: PLAYBOOK_LOAD_CODES.yaml,
        message: e.message,
      })),
    };
  }
  const lineOf = (path: readonly (string | number)[]) => nodeLine(doc, lineCounter, path);
  return { parsed: { file, lineOf, value: doc.toJS({ maxAliasCount: 100 }) }, errors: [] };
}

/**
 * The line of the value at `path`: a mapping entry is where its key is written (a block mapping
 * value starts on the next line, which would point past the field), a sequence item where it
 * starts. A path that does not exist gives its nearest existing ancestor.
 */
function nodeLine(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number | null {
  let node: unknown = doc.contents;
  let line = isNode(node) && node.range ? lc.linePos(node.range[0]).line : null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) line = lc.linePos(pair.key.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      if (isNode(node) && node.range) line = lc.linePos(node.range[0]).line;
    } else break;
  }
  return line;
}

const stepSchemas: Record<string, TSchema> = {
  command: CommandStep,
  http: HttpStep,
  set: SetStep,
  switch: SwitchStep,
  foreach: ForeachStep,
  playbook: PlaybookStep,
  'update-incident': UpdateIncidentStep,
  manual: ManualStep,
  wait: WaitStep,
  deliver: DeliverStep,
  end: EndStep,
  fail: FailStep,
};
const bodySchemas: Record<string, TSchema> = Object.fromEntries(
  ForeachBody.anyOf.map((s) => [s.properties.kind.const as string, s as TSchema]),
);

/**
 * Schema errors, each with its line and step. Steps are a union keyed by `kind`: each is checked
 * against the schema of its own kind, so the message names the real problem ("missing property
 * command") rather than "matches no step kind".
 */
export function schemaErrors(p: ParsedFile): LoadError[] {
  const out: LoadError[] = [];
  const seen = new Set<string>();
  const push = (path: (string | number)[], step: string | null, message: string) => {
    const key = `${path.join('/')}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ file: p.file, line: p.lineOf(path), step, code: PLAYBOOK_LOAD_CODES.schema, message });
  };
  const doc = p.value as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    push([], null, 'a playbook file holds one YAML mapping (name, version, steps, ...)');
    return out;
  }
  for (const e of Value.Errors(Playbook, doc)) {
    const path = pointer(e.path);
    if (path[0] === 'steps' && path.length > 1) continue;
    push(path, null, describe(e, path));
  }
  const steps = Array.isArray(doc.steps) ? doc.steps : [];
  steps.forEach((raw, i) => {
    const base = ['steps', i];
    const s = raw as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      push(base, null, `steps[${i}] must be a mapping with id and kind`);
      return;
    }
    const id = typeof s.id === 'string' ? s.id : null;
    checkKind(s, base, id, stepSchemas, push);
  });
  return out;
}

function checkKind(
  s: Record<string, unknown>,
  base: (string | number)[],
  id: string | null,
  schemas: Record<string, TSchema>,
  push: (path: (string | number)[], step: string | null, message: string) => void,
) {
  const schema = typeof s.kind === 'string' ? schemas[s.kind] : undefined;
  if (!schema) {
    push(
      [...base, 'kind'],
      id,
      `kind must be one of ${Object.keys(schemas).join(', ')} (got ${JSON.stringify(s.kind)})`,
    );
    return;
  }
  for (const e of Value.Errors(schema, s)) {
    const rel = pointer(e.path);
    if (s.kind === 'foreach' && rel[0] === 'do') {
      const body = s.do as Record<string, unknown> | null;
      if (rel.length === 1 && (body === null || typeof body !== 'object' || Array.isArray(body))) {
        push([...base, 'do'], id, 'do must be a mapping: the step run for each item');
      } else if (body && typeof body === 'object') checkKind(body, [...base, 'do'], id, bodySchemas, push);
      continue;
    }
    const path = [...base, ...rel];
    push(path, id, describe(e, path));
  }
}

function pointer(path: string): (string | number)[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** A message naming the field and the rule, in the schema's own terms. */
function describe(e: ValueError, path: (string | number)[]): string {
  const field = fieldName(path);
  const s = e.schema as { anyOf?: { const?: unknown }[]; pattern?: string; description?: string };
  if (e.value === undefined) return `${field} is required`;
  if (s.anyOf && s.anyOf.every((a) => a.const !== undefined)) {
    return `${field} must be one of ${s.anyOf.map((a) => String(a.const)).join(', ')} (got ${JSON.stringify(e.value)})`;
  }
  const rule = s.pattern ? `must match ${s.pattern}` : e.message.replace(/^Expected /, 'must be ');
  if (e.message === 'Unexpected property') return `${field} is not a known field here`;
  return `${field} ${rule} (got ${JSON.stringify(e.value)})`;
}

/** `steps[2].with.query`: how a field is named in messages. */
export function fieldName(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(file)';
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p),
    '',
  );
}
