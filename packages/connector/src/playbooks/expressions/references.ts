import type jsonata from 'jsonata';

/** A path read from the run scope: `['steps', 'hunt', 'output', 'hits']`, with where it starts. */
export interface Reference {
  path: string[];
  /** Character offset in the expression (JSONata's position: the end of the first name). */
  position: number;
}

/** The AST as JSONata builds it (its published type misses `path`, `steps`, `stages`, ...). */
interface Node {
  type?: string;
  value?: unknown;
  position?: number;
  steps?: Node[];
  tuple?: boolean;
  [key: string]: unknown;
}

/**
 * The root paths an expression reads, from its JSONata AST: every path that starts at the scope
 * (a bare name at the top level, `$$.x`, or `$.x` at the top level), as its leading run of names.
 * A path stops at the first step that is not a name (a wildcard, a function, a block), since what
 * follows is relative to that step's result. Names inside filters, group-bys, sorts and later
 * path steps are relative to the items being walked, so they are not scope references; a `$$`
 * path is, wherever it is. Lambda bodies are read as top level (where they are almost always
 * called), which can over-report but never hides a typo in a scope path.
 */
export function references(ast: jsonata.ExprNode): Reference[] {
  const out: Reference[] = [];
  walk(ast as unknown as Node, true, out);
  return out;
}

function walk(node: unknown, atRoot: boolean, out: Reference[]): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, atRoot, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'path' && Array.isArray(n.steps)) {
    walkPath(n, atRoot, out);
    return;
  }
  if (n.type === 'name' && atRoot) {
    // A bare name only reaches here inside a constructor or the like: it is a one-step path.
    out.push({ path: [String(n.value)], position: n.position ?? 0 });
    walkRelative(n, out);
    return;
  }
  for (const [key, child] of Object.entries(n)) {
    if (RELATIVE_KEYS.has(key) || (n.type === 'transform' && TRANSFORM_KEYS.has(key))) {
      walk(child, false, out);
    } else if (typeof child === 'object') walk(child, atRoot, out);
  }
}

/** Keys of an AST node whose expressions run against the items of the node's result. */
const RELATIVE_KEYS = new Set(['stages', 'predicate', 'group', 'terms']);
const TRANSFORM_KEYS = new Set(['pattern', 'update', 'delete']);

function walkRelative(n: Node, out: Reference[]): void {
  for (const key of RELATIVE_KEYS) if (n[key] !== undefined) walk(n[key], false, out);
}

function walkPath(n: Node, atRoot: boolean, out: Reference[]): void {
  const steps = n.steps!;
  const first = steps[0];
  let start = -1;
  if (first.type === 'name' && atRoot) start = 0;
  else if (first.type === 'variable' && (first.value === '$' || (first.value === '' && atRoot))) start = 1;
  if (start >= 0) {
    const path: string[] = [];
    let position = first.position ?? 0;
    for (let i = start; i < steps.length && steps[i].type === 'name' && !steps[i].tuple; i++) {
      path.push(String(steps[i].value));
      if (i === start) position = steps[i].position ?? position;
    }
    if (path.length > 0) out.push({ path, position });
  }
  steps.forEach((s, i) => {
    if (i === 0 && s.type !== 'name' && s.type !== 'variable') walk(s, atRoot, out);
    else if (s.type === 'name' || s.type === 'variable') walkRelative(s, out);
    else walk(s, false, out);
  });
  walkRelative(n, out);
}
