import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the search module (not built yet). */
const searchRoutes: FastifyPluginAsyncTypebox = async () => {};
export default searchRoutes;
