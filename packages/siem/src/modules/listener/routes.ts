import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_LOG_TYPE, ListenerQuery, type BulkShippingResult } from '@siemlink/contracts';
import { tooLarge, unauthorized } from '../../errors.ts';
import { ingestBulk } from './service.ts';

/**
 * Logz.io bulk HTTP shipping: `POST /?token=<shipping token>&type=<type>`, NDJSON or plain-text
 * lines, optionally gzip/deflate. 200 with an empty body when every line was stored; 400 with
 * `{malformedLines, successfulLines, oversizedLines, emptyLogLines, errors}` when some were not
 * (the good ones ARE stored, as with Logz.io); 401 for a missing or unknown token; 413 when the
 * body is over the byte or line limit (nothing stored); 507/503 with Retry-After when the store
 * cannot take the write (disk full, I/O error, busy).
 */
const listenerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.siem;
  const writer = ctx.repos.logs;
  const { maxLineBytes, maxRequestBytes, maxLines, batchLines } = ctx.config.listener;

  // Shippers send text/plain (logzio-nodejs), application/json, x-ndjson or nothing at all:
  // every body reaches the handler as the raw stream, so limits apply to decompressed bytes too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // The declared type is never used, so a missing or malformed one must not turn into a 415.
  app.addHook('onRequest', async (request) => {
    request.headers['content-type'] = 'application/octet-stream';
  });
  // Answered before the body was read (401, 413): close the socket rather than drain or keep it.
  app.addHook('onSend', async (request, reply) => {
    if (!request.raw.complete) reply.header('connection', 'close');
  });

  app.post(
    '/',
    {
      // No response schema: 200 has an empty body, and the 400 body is built typed below.
      schema: { querystring: ListenerQuery },
    },
    async (request, reply) => {
      const token = request.query.token?.trim();
      if (!token) throw unauthorized('token query parameter is required', 'MISSING_TOKEN');
      const account = ctx.accounts.findByToken(token, 'SHIPPING');
      if (!account) throw unauthorized('token is not a valid shipping token', 'INVALID_TOKEN');
      const declared = Number(request.headers['content-length']);
      if (declared > maxRequestBytes) {
        throw tooLarge(`body: ${declared} bytes is over the ${maxRequestBytes}-byte request limit`);
      }
      const body = request.body as Readable | undefined;
      if (!body) return reply.status(200).send();
      const result = await ingestBulk({
        body,
        encoding: request.headers['content-encoding'],
        accountId: account.id,
        defaultType: request.query.type || DEFAULT_LOG_TYPE,
        maxLineBytes,
        maxRequestBytes,
        maxLines,
        batchLines,
        writer,
        now: () => ctx.clock.now(),
      });
      if (result.malformedLines + result.oversizedLines === 0) return reply.status(200).send();
      request.log.info(
        {
          accountId: account.id,
          successfulLines: result.successfulLines,
          malformedLines: result.malformedLines,
          oversizedLines: result.oversizedLines,
        },
        'bulk request had rejected lines',
      );
      const counts: BulkShippingResult = {
        malformedLines: result.malformedLines,
        successfulLines: result.successfulLines,
        oversizedLines: result.oversizedLines,
        emptyLogLines: result.emptyLogLines,
        errors: result.errors,
      };
      return reply.status(400).send(counts);
    },
  );
};
export default listenerRoutes;
