import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** packages/console/dist, next to this package in the monorepo. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../../console/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The page may load only what it came with and talk only to this origin; inline scripts and
 * frames are refused, so rendered notes (already sanitised) cannot run anything either.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>siemlink console</title>
<p>The console is not built yet. Run <code>npm install</code> (or <code>npm run build -w packages/console</code>) and reload.</p>`;

/**
 * Serves the built console: hashed files under /assets/ (cached for good), anything else that
 * is not an API route gets index.html (the app routes on the client). The shell and its assets
 * hold no data; every data route is behind authentication.
 */
export function registerStaticAssets(app: FastifyInstance, assetsDir = DEFAULT_ASSETS_DIR): void {
  const root = resolve(assetsDir);

  async function sendIndex(reply: FastifyReply) {
    secure(reply).header('cache-control', 'no-store').type(TYPES['.html']!);
    try {
      return reply.send(await readFile(join(root, 'index.html')));
    } catch {
      return reply.status(503).send(NOT_BUILT);
    }
  }

  app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const file = resolve(root, 'assets', rel);
    // Never outside the assets dir, whatever `..` or encoded separators the path holds.
    if (!file.startsWith(join(root, 'assets') + sep)) return reply.callNotFound();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return reply.callNotFound();
    secure(reply)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-length', info.size)
      .type(TYPES[extname(file)] ?? 'application/octet-stream');
    return reply.send(createReadStream(file));
  });

  app.get('/', { schema: { hide: true } }, async (_req, reply) => sendIndex(reply));
  app.get('/favicon.svg', { schema: { hide: true } }, async (_req, reply) => {
    const body = await readFile(join(root, 'favicon.svg')).catch(() => null);
    if (!body) return reply.callNotFound();
    return secure(reply).type(TYPES['.svg']!).send(body);
  });
  // Client-side routes (/incidents/..., /search, ...): the app shell. /api stays a JSON 404.
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api') return reply.callNotFound();
    return sendIndex(reply);
  });
}
