import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateSecurityConfigurationRequest,
  ErrorBody,
  SecurityConfiguration,
  SecurityConfigurationList,
  SecurityRuleRequest,
  SecurityRuleResponse,
  SecurityRuleSearchRequest,
  SecurityRuleSearchResponse,
} from '@siemlink/contracts';
import { requireAccount } from '../../plugins/auth.ts';
import { createRulesService } from './service.ts';

const RuleId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Ok = Type.Object({ id: Type.Integer(), deleted: Type.Boolean() });

/**
 * Security rules (`/v2/security/rules`, contract section 5) and security configurations
 * (`/v2/security/configurations`, our extension). All need a SIEM account's API token.
 */
const rulesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createRulesService(app.siem);
  const siem = { type: 'SIEM' } as const;
  // Authenticate before validating, so a bad body without a token is a 401, not a 400.
  app.addHook('preValidation', async (request) => {
    requireAccount(request, siem);
  });

  app.post(
    '/v2/security/rules',
    { schema: { body: SecurityRuleRequest, response: { 201: SecurityRuleResponse, ...errors } } },
    async (request, reply) => {
      const account = requireAccount(request, siem);
      return reply.status(201).send(service.create(account, request.body));
    },
  );

  app.post(
    '/v2/security/rules/search',
    {
      schema: { body: SecurityRuleSearchRequest, response: { 200: SecurityRuleSearchResponse } },
      // The body is optional: none (or an empty one) means `{}`, every rule.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => service.search(requireAccount(request, siem), request.body),
  );

  app.get(
    '/v2/security/rules/:id',
    { schema: { params: RuleId, response: { 200: SecurityRuleResponse, ...errors } } },
    async (request) => service.get(requireAccount(request, siem), request.params.id),
  );

  app.put(
    '/v2/security/rules/:id',
    {
      schema: {
        params: RuleId,
        body: SecurityRuleRequest,
        response: { 200: SecurityRuleResponse, ...errors },
      },
    },
    async (request) => service.update(requireAccount(request, siem), request.params.id, request.body),
  );

  app.delete(
    '/v2/security/rules/:id',
    { schema: { params: RuleId, response: { 200: Ok, ...errors } } },
    async (request) => {
      service.remove(requireAccount(request, siem), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/v2/security/rules/:id/${action}`,
      { schema: { params: RuleId, response: { 200: SecurityRuleResponse, ...errors } } },
      async (request) => service.setEnabled(requireAccount(request, siem), request.params.id, enabled),
    );
  }

  app.get(
    '/v2/security/configurations',
    { schema: { response: { 200: SecurityConfigurationList } } },
    async (request) => service.listConfigurations(requireAccount(request, siem)),
  );

  app.post(
    '/v2/security/configurations',
    {
      schema: {
        body: CreateSecurityConfigurationRequest,
        response: { 201: SecurityConfiguration, ...errors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = requireAccount(request, siem);
      return reply.status(201).send(service.createConfiguration(account, request.body.name));
    },
  );
};
export default rulesRoutes;
