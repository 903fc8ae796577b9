import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the events module (not built yet). */
const eventsRoutes: FastifyPluginAsyncTypebox = async () => {};
export default eventsRoutes;
