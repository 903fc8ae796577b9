import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the admin module (not built yet). */
const adminRoutes: FastifyPluginAsyncTypebox = async () => {};
export default adminRoutes;
