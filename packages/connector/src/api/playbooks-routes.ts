import type { FastifyInstance } from 'fastify';
import { principal } from '../auth/plugin.ts';
import { apiError, ConnectorError, playbooksUnavailable, playbookTaskAssigned } from '../errors.ts';
import type { PlaybookService, RunStatus } from '../playbooks/types.ts';
import { ErrorBody } from './schemas.ts';
import {
  AnswerBody,
  PlaybookList,
  PlaybookRun,
  RunDetail,
  RunParams,
  RunsPage,
  RunsQuery,
  StartBody,
  StepParams,
  TaskList,
  TasksQuery,
  type PlaybookSummary,
} from './playbooks-schemas.ts';

export interface PlaybookRouteDeps {
  /**
   * The engine; absent, the lists are empty (`enabled: false`) and the rest answers 503
   * PLAYBOOKS_UNAVAILABLE: a console page never fails for want of an engine.
   */
  playbooks?: PlaybookService;
}

const tags = ['playbooks'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };
const runNotFound = (id: string) =>
  apiError('PLAYBOOK_RUN_NOT_FOUND', `no playbook run with id "${id}"`, 'params.id');

/**
 * The engine's refusals of bad input (unknown input, wrong type) are ConnectorErrors of kind
 * `config`; without an HTTP status of their own they are a 400 here, never a 500.
 */
async function engine<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConnectorError && err.status === undefined && err.kind === 'config') {
      throw apiError(err.code, err.message, err.field, 400);
    }
    throw err;
  }
}

/**
 * Playbooks and their runs under /api: list, start on an incident, cancel, retry from the failed
 * step, and the manual tasks waiting for an analyst. Reads need a viewer, writes an analyst (the
 * auth hook's default); every change is made by the engine, which puts it on the incident's timeline.
 */
export function registerPlaybookRoutes(app: FastifyInstance, deps: PlaybookRouteDeps): void {
  const service = (): PlaybookService => {
    if (!deps.playbooks) throw playbooksUnavailable();
    return deps.playbooks;
  };
  const runOf = async (id: string) => {
    const run = await service().run(id);
    if (!run) throw runNotFound(id);
    return run;
  };

  app.get(
    '/api/playbooks',
    {
      schema: {
        tags,
        summary: 'The loaded playbooks (every version) and the files refused at load',
        response: { 200: PlaybookList, ...errors },
      },
    },
    async () => {
      if (!deps.playbooks) return { enabled: false, playbooks: [], errors: [] };
      const { playbooks, errors: loadErrors } = deps.playbooks.list();
      return {
        enabled: true,
        playbooks: playbooks.map(({ file, builtin, definition: d }): PlaybookSummary => ({
          name: d.name,
          version: d.version,
          description: d.description ?? null,
          enabled: d.enabled ?? true,
          builtin,
          file,
          trigger: d.trigger ?? null,
          inputs: d.inputs ?? {},
          steps: d.steps.map((s) => ({ id: s.id, kind: s.kind, name: s.name ?? null })),
        })),
        errors: loadErrors,
      };
    },
  );

  app.get<{ Querystring: RunsQuery }>(
    '/api/playbook-runs',
    {
      schema: {
        tags,
        summary: 'Runs, newest first: by incident, status, playbook; pages with `before`',
        querystring: RunsQuery,
        response: { 200: RunsPage, ...errors },
      },
    },
    async (req) => {
      if (!deps.playbooks) return { results: [], nextBefore: null };
      const { status, limit, ...rest } = req.query;
      const results = await deps.playbooks.runs({
        ...rest,
        limit,
        ...(status ? { status: status.split(',') as RunStatus[] } : {}),
      });
      return { results, nextBefore: results.length === limit ? results.at(-1)!.id : null };
    },
  );

  app.get<{ Params: RunParams }>(
    '/api/playbook-runs/:id',
    {
      schema: {
        tags,
        summary: "One run with every step's status, input, output, error and timing",
        params: RunParams,
        response: { 200: RunDetail, ...errors },
      },
    },
    async (req) => runOf(req.params.id),
  );

  app.post<{ Body: StartBody }>(
    '/api/playbook-runs',
    {
      schema: {
        tags,
        summary: 'Start a playbook on an incident (or none) with inputs (analyst)',
        body: StartBody,
        response: { 201: PlaybookRun, ...errors },
      },
    },
    async (req, reply) => {
      const { playbook, version, incidentId, inputs } = req.body;
      // The engine refuses an unknown playbook, version, incident or input, naming the field.
      const run = await engine(() =>
        service().start({
          playbook,
          ...(version !== undefined ? { version } : {}),
          incidentId,
          inputs: inputs ?? {},
          startedBy: principal(req).name,
        }),
      );
      return reply.status(201).send(run);
    },
  );

  app.post<{ Params: RunParams }>(
    '/api/playbook-runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a run that has not ended; 409 PLAYBOOK_RUN_STATE otherwise (analyst)',
        params: RunParams,
        response: { 200: PlaybookRun, 409: ErrorBody, ...errors },
      },
    },
    async (req) => {
      const done = await engine(() => service().cancel(req.params.id, principal(req).name));
      if (!done) throw runNotFound(req.params.id);
      return done;
    },
  );

  app.post<{ Params: RunParams }>(
    '/api/playbook-runs/:id/retry',
    {
      schema: {
        tags,
        summary:
          'Re-run a failed, timed-out or cancelled run from its failed step; committed steps stay (analyst)',
        params: RunParams,
        response: { 200: PlaybookRun, 409: ErrorBody, ...errors },
      },
    },
    async (req) => {
      const done = await engine(() => service().retry(req.params.id, principal(req).name));
      if (!done) throw runNotFound(req.params.id);
      return done;
    },
  );

  app.get<{ Querystring: TasksQuery }>(
    '/api/playbook-tasks',
    {
      schema: {
        tags,
        summary: 'Manual steps waiting for an answer, oldest first',
        querystring: TasksQuery,
        response: { 200: TaskList, ...errors },
      },
    },
    async (req) => ({ results: deps.playbooks ? await deps.playbooks.tasks(req.query) : [] }),
  );

  app.post<{ Params: StepParams; Body: AnswerBody }>(
    '/api/playbook-runs/:id/steps/:stepId/answer',
    {
      schema: {
        tags,
        summary: "Answer a manual step with its form's fields; the run goes on (analyst)",
        params: StepParams,
        body: AnswerBody,
        response: { 200: RunDetail, ...errors },
      },
    },
    async (req) => {
      const { id, stepId } = req.params;
      const run = await runOf(id);
      const task = (await service().tasks(run.incidentId ? { incidentId: run.incidentId } : {})).find(
        (t) => t.runId === id && t.stepId === stepId,
      );
      // Who may answer is the API's to say (the engine knows names, not roles); the engine checks the
      // form and that the step still waits.
      const who = principal(req);
      if (task?.assignee && task.assignee !== who.name && who.role !== 'admin') {
        throw playbookTaskAssigned(stepId, task.assignee);
      }
      const done = await engine(() => service().answer(id, stepId, req.body.answer, who.name));
      if (!done) throw runNotFound(id);
      return done;
    },
  );
}
