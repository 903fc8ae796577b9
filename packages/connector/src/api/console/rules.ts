import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './deps.ts';
import { remoteError } from './remote-errors.ts';

const RulesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 1000, description: 'text in the rule title' })),
    page: Type.Integer({ minimum: 1, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  },
  { additionalProperties: false },
);
type RulesQuery = Static<typeof RulesQuery>;

const RuleParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
type RuleParams = Static<typeof RuleParams>;

/**
 * Security rules through the Security token: `GET /api/rules` lists (by title), and
 * `POST /api/rules/:id/enable|disable` switches one (analysts).
 */
const tags = ['console'];

export function registerRules(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Querystring: RulesQuery }>(
    '/api/rules',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Security rules of the SIEM account (Security token)',
        querystring: RulesQuery,
      },
    },
    async (req) =>
      deps.client
        .searchRules({
          ...(req.query.search ? { filter: { search: req.query.search } } : {}),
          sort: { sortByField: 'name', descending: false },
          pagination: { pageNumber: req.query.page, pageSize: req.query.pageSize },
        })
        .catch(remoteError),
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post<{ Params: RuleParams }>(
      `/api/rules/:id/${action}`,
      {
        config: { role: 'analyst' },
        schema: {
          tags,
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a security rule (analyst)`,
          params: RuleParams,
        },
      },
      async (req) => {
        const rule = await deps.client.setRuleEnabled(req.params.id, enabled).catch(remoteError);
        req.log.info({ ruleId: rule.id, enabled }, `security rule ${action}d`);
        return rule;
      },
    );
  }
}
