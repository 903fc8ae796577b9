import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * JSON bodies as real clients send them. Python requests and Go's net/http send a bodiless
 * POST or DELETE with `Content-Length: 0`, and the Logz.io clients set `Content-Type:
 * application/json` on every request; Fastify's default parser answers that with a 400. Here an
 * empty (or blank) body means "no body": routes whose body is optional read it as `{}`, routes
 * that need one still get their schema's 400. Anything else is parsed by Fastify's own JSON
 * parser (prototype poisoning refused). Installed once at the app's root.
 */
export const jsonBodyPlugin = fp(acceptEmptyJsonBodies, { name: 'siemlink-json-body' });

async function acceptEmptyJsonBodies(app: FastifyInstance): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
