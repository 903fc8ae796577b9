import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const ROOT = join(import.meta.dirname, '..');

function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/**
 * The tests drive the built console: rebuild it when a source is newer than the build (npm
 * install builds it; this covers editing without reinstalling).
 */
export async function ensureBuilt(): Promise<void> {
  const built = statSync(join(ROOT, 'dist', 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'index.html')).mtimeMs);
  if (sources <= built) return;
  await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error' });
}
