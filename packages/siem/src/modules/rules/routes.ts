import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the rules module (not built yet). */
const rulesRoutes: FastifyPluginAsyncTypebox = async () => {};
export default rulesRoutes;
