import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the feed module (not built yet). */
const feedRoutes: FastifyPluginAsyncTypebox = async () => {};
export default feedRoutes;
