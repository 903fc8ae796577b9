import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Bulk log shipping routes of the listener (not built yet). */
const listenerRoutes: FastifyPluginAsyncTypebox = async () => {};
export default listenerRoutes;
