import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCycles, importGraph } from './import-graph.ts';

const SRC = join(import.meta.dirname, '../../src');

test('the SIEM’s source has no import cycles', () => {
  const graph = importGraph(SRC);
  assert.ok(graph.size > 50, `read the source tree (${graph.size} files)`);
  assert.deepEqual(importCycles(graph), []);
});

test('the rules area reads top-down: the engine never imports its callers, the demo never the engine loop', () => {
  const graph = importGraph(SRC);
  // What may import what (issue 10): rule-engine.ts (the loop) -> demo/rule-pack.ts, install-file.ts,
  // engine/*; demo/ -> engine/*, service.ts; engine/* -> the rule language (schedule, filters, fields),
  // repositories, lucene. Never the other way.
  const callers = [
    'modules/rules/rule-engine.ts',
    'modules/rules/routes.ts',
    'modules/rules/service.ts',
    'modules/rules/install-file.ts',
  ];
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const t of targets) {
      if (file.startsWith('modules/rules/engine/') && (callers.includes(t) || t.startsWith('demo/'))) {
        wrong.push(`${file} -> ${t}`);
      }
      if (file.startsWith('demo/') && t === 'modules/rules/rule-engine.ts') wrong.push(`${file} -> ${t}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the cycle check finds a cycle: direct, through several files, and through a dynamic import', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-cycles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  const files: Record<string, string> = {
    'a.ts': "import { b } from './sub/b.ts';\nexport const a = b;\n",
    'sub/b.ts': "export { c as b } from '../c.ts';\n",
    'c.ts': "export const c = 1;\nexport async function later() {\n  return import('./a.ts');\n}\n",
    'd.ts': "import type { a } from './a.ts';\nexport type D = typeof a;\n",
    'e.ts':
      "import { type D } from './d.ts';\nimport './f.ts';\nexport const e: D | undefined = undefined;\n",
    'f.ts': "import { e } from './e.ts';\nexport const f = e;\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  assert.deepEqual(importCycles(importGraph(dir)), [
    ['a.ts', 'c.ts', 'sub/b.ts'],
    ['e.ts', 'f.ts'],
  ]);
});
