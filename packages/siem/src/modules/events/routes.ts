import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  EventLogsSearchRequest,
  EventLogsSearchResponse,
  ErrorBody,
  SecurityEventSearchRequest,
  SecurityEventSearchResponse,
} from '@siemlink/contracts';
import { requireAccount } from '../../plugins/auth.ts';
import { toSecurityEventQuery } from './search.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** Runs before body validation, so a bad token is 401/403 whatever the body holds. */
const siemAccountOnly = async (request: FastifyRequest) => {
  requireAccount(request, { type: 'SIEM' });
};

/**
 * Security events of the caller's SIEM account (contract sections 1 and 2). The body is
 * optional on `events/search` (empty = every event); nulls were stripped before validation.
 */
const eventsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { eventSearch: events, eventLogs } = app.siem.repos;

  app.post(
    '/v2/security/rules/events/search',
    {
      onRequest: siemAccountOnly,
      // No body at all (empty, or no Content-Type either) is `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        body: SecurityEventSearchRequest,
        response: { 200: SecurityEventSearchResponse, ...errors },
      },
    },
    async (request) => {
      const account = request.account!;
      const query = toSecurityEventQuery(account.id, request.body ?? {});
      const page = events.search(query);
      return { ...page, pagination: { pageNumber: query.pageNumber, pageSize: query.pageSize } };
    },
  );

  app.post(
    '/v2/security/rules/events/logs/search',
    {
      onRequest: siemAccountOnly,
      schema: {
        body: EventLogsSearchRequest,
        response: { 200: EventLogsSearchResponse, ...errors },
      },
    },
    async (request) => {
      const account = request.account!;
      const pageNumber = request.body.pagination?.pageNumber ?? 1;
      const pageSize = request.body.pagination?.pageSize ?? 25;
      const page = eventLogs.search({
        accountId: account.id,
        alertEventId: request.body.filter.alertEventId,
        pageNumber,
        pageSize,
      });
      return { ...page, pagination: { pageNumber, pageSize } };
    },
  );
};
export default eventsRoutes;
