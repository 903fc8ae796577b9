import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import compress from '@fastify/compress';
import type { SiemContext } from './context.ts';
import { contextPlugin } from './plugins/context.ts';
import { errorHandlerPlugin } from './plugins/error-handler.ts';
import { authPlugin } from './plugins/auth.ts';
import { stripNullsPlugin } from './plugins/strip-nulls.ts';
import { jsonBodyPlugin } from './plugins/json-body.ts';
import { finiteNumbersPlugin } from './plugins/finite-numbers.ts';
import { lenientScalarsPlugin } from './plugins/lenient-scalars.ts';
import { httpsOption } from './tls.ts';
import accountsRoutes from './modules/accounts/routes.ts';
import searchRoutes from './modules/search/routes.ts';
import rulesRoutes from './modules/rules/routes.ts';
import eventsRoutes from './modules/events/routes.ts';
import feedRoutes from './modules/feed/routes.ts';
import faultRoutes from './modules/admin/routes.ts';
import listenerRoutes from './modules/listener/routes.ts';
import healthRoutes from './modules/health/routes.ts';

export type SiemApp = FastifyInstance;

/** Per-request log lines only with `logRequests` (the CLI's SIEMLINK_LOG_REQUESTS=1). */
function requestLogging(ctx: SiemContext): LogController {
  return new LogController({ disableRequestLogging: !ctx.config.logRequests });
}

/**
 * Clients build URLs by concatenation: FortiSOAR's `server_url + "/v2/whoami"` with a Server URL
 * ending in '/' asks for `//v2/whoami`, Siemplify's custom endpoint needs a trailing '/'.
 */
const lenientPaths = { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true };

/** The SIEM API (the Logz.io-compatible endpoints and the feed), as one Fastify app. */
export async function buildSiemApp(ctx: SiemContext): Promise<SiemApp> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'api' }) as FastifyBaseLogger,
    ...httpsOption(ctx.config.tls),
    bodyLimit: 10 * 1024 * 1024,
    // Numbers sent as strings ("50") are coerced; unknown keys dropped where schemas forbid them.
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: true, useDefaults: true, allErrors: false },
    },
    logController: requestLogging(ctx),
    routerOptions: lenientPaths,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Cross-cutting plugins (fastify-plugin: they apply to the whole app), in hook order.
  await app.register(contextPlugin, { ctx });
  await app.register(errorHandlerPlugin);
  await app.register(authPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(finiteNumbersPlugin);
  await app.register(stripNullsPlugin);
  await app.register(lenientScalarsPlugin);
  if (ctx.config.faultInjection) await app.register(faultRoutes);
  // Logz.io answers `Accept-Encoding: gzip, deflate` (and recommends it for search): the JSON
  // endpoints compress bodies over 1 KB when asked. The feed is left out: it is streamed, and a
  // cut (fault-injected or real) must reach the client as a truncated body, not a broken gzip.
  await app.register(async (json) => {
    await json.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });
    await json.register(accountsRoutes);
    await json.register(searchRoutes);
    await json.register(rulesRoutes);
    await json.register(eventsRoutes);
  });
  await app.register(feedRoutes);
  await app.register(healthRoutes);
  return app;
}

/** The log listener (bulk HTTP shipping), a separate app on its own port as in Logz.io. */
export async function buildListenerApp(ctx: SiemContext): Promise<SiemApp> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'listener' }) as FastifyBaseLogger,
    ...httpsOption(ctx.config.tls),
    bodyLimit: ctx.config.listener.maxRequestBytes,
    logController: requestLogging(ctx),
    routerOptions: lenientPaths,
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(contextPlugin, { ctx });
  await app.register(errorHandlerPlugin);
  await app.register(listenerRoutes);
  await app.register(healthRoutes);
  return app;
}
