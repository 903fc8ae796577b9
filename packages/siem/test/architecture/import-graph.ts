import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Runtime imports between the .ts files under `root`: file -> files it imports (paths relative to
 * root). Type-only imports (`import type`, `export type`) are left out: they are erased before
 * the code runs, so they can neither load a module half-initialised nor order start-up.
 */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = (readdirSync(root, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
  );
  const patterns = [
    // import { a } from './x'; import x from './x'; export { a } from './x'; export * from './x'
    /\b(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    // import './x'; await import('./x')
    /\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  ];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = new Set<string>();
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern))
        targets.add(relative(root, resolve(root, dirname(file), m[1]!)));
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every cycle's files (strongly connected components of more than one file, or a self-import). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm (recursive: a source tree's import depth is small).
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue; // outside the tree
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return cycles;
}
