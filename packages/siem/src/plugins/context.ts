import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SiemContext } from '../context.ts';

/** Decorates the app with the instance's context (`app.siem`): every other plugin reads it. */
export const contextPlugin = fp(
  async (app: FastifyInstance, opts: { ctx: SiemContext }) => {
    app.decorate('siem', opts.ctx);
  },
  { name: 'siemlink-context' },
);
