import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the accounts module (not built yet). */
const accountsRoutes: FastifyPluginAsyncTypebox = async () => {};
export default accountsRoutes;
