import type { TObject, TSchema } from '@sinclair/typebox';
import { ConnectorError, PLAYBOOK_LOAD_CODES, type PlaybookLoadCode } from '../../errors.ts';
import { Incident } from '../../store/types.ts';
import { searchLogsCommand } from '../../commands/search-logs.ts';
import { getLogsByEventIdCommand } from '../../commands/get-logs-by-event-id.ts';
import { securityEventsCommand } from '../../commands/security-events.ts';
import { createSiemAccountCommand } from '../../commands/create-siem-account.ts';
import type { Expressions } from '../expressions/expressions.ts';
import { parseTemplateString, TemplateSyntaxError } from '../expressions/template.ts';
import type { LoadError } from '../types.ts';
import { buildFlow } from './flow.ts';
import { stepOutputSchema } from './outputs.ts';
import type { ParsedFile } from './parse.ts';
import { fieldName } from './parse.ts';
import { resolvePath } from './schema-path.ts';
import type { ForeachBody, InputDecl, InputType, Playbook, Step } from './schema.ts';

/** Resolves a sub-playbook by name and version (absent: the latest). */
export type PlaybookResolver = (name: string, version?: number) => Playbook | undefined;

const C = PLAYBOOK_LOAD_CODES;

/** The args schemas of the commands a `command` step can run (their `with` is checked against them). */
const commandArgs: Record<string, TObject> = {
  'search-logs': searchLogsCommand.args,
  'get-logs-by-event-id': getLogsByEventIdCommand.args,
  'security-events': securityEventsCommand.args,
  'create-siem-account': createSiemAccountCommand.args,
};

const SCOPE_ROOTS = ['incident', 'inputs', 'steps', 'item', 'index', 'run'];
const RUN_FIELDS = ['id', 'playbook', 'version'];

/** Where an expression sits and what it may see. */
interface Site {
  path: (string | number)[];
  /** Index of the step it belongs to; -1 for the trigger, `outputs` use 'end'. */
  step: number | 'trigger' | 'end';
  inForeachBody: boolean;
  /** Declared secret names (an http step or body); undefined: `secrets` is not in scope. */
  secrets?: Record<string, string>;
}

/**
 * The static checks of one schema-valid playbook: flow (targets, unreachable steps, cycles),
 * every reference in every expression, inputs, sub-playbooks and command arguments.
 */
export function checkPlaybook(
  parsed: ParsedFile,
  pb: Playbook,
  expressions: Expressions,
  resolve: PlaybookResolver,
): LoadError[] {
  const errors: LoadError[] = [];
  const err = (code: PlaybookLoadCode, path: (string | number)[], step: string | null, message: string) =>
    errors.push({ file: parsed.file, line: parsed.lineOf(path), step, code, message });

  // Step ids: the first of a duplicate keeps the id; the others are errors.
  const index = new Map<string, number>();
  pb.steps.forEach((s, i) => {
    if (index.has(s.id)) {
      err(
        C.duplicateStep,
        ['steps', i, 'id'],
        s.id,
        `step id "${s.id}" is already used by steps[${index.get(s.id)}]`,
      );
    } else index.set(s.id, i);
  });

  // Targets.
  const checkTarget = (i: number, field: (string | number)[], id: string | undefined) => {
    if (id !== undefined && !index.has(id)) {
      err(
        C.unknownTarget,
        ['steps', i, ...field],
        pb.steps[i].id,
        `${fieldName(field)} names step "${id}", which does not exist (steps: ${[...index.keys()].join(', ')})`,
      );
    }
  };
  pb.steps.forEach((s, i) => {
    checkTarget(i, ['next'], s.next);
    checkTarget(i, ['on-error'], s['on-error']);
    if (s.kind === 'switch') {
      s.cases.forEach((c, k) => checkTarget(i, ['cases', k, 'next'], c.next));
      checkTarget(i, ['default'], s.default);
    }
    if (s.next !== undefined && (s.kind === 'switch' || s.kind === 'end' || s.kind === 'fail')) {
      err(
        C.nextIgnored,
        ['steps', i, 'next'],
        s.id,
        `a ${s.kind} step never goes on to "next"${s.kind === 'switch' ? ': its cases and default say where to go' : ''}`,
      );
    }
    if (s.kind === 'wait' && (s.duration === undefined) === (s.until === undefined)) {
      err(C.waitSpec, ['steps', i], s.id, 'a wait step needs exactly one of duration and until');
    }
  });

  const flow = buildFlow(pb.steps, (id) => index.get(id));
  pb.steps.forEach((s, i) => {
    if (!flow.reachable[i] && index.get(s.id) === i) {
      err(
        C.unreachable,
        ['steps', i],
        s.id,
        `step "${s.id}" can never run: no next, switch branch or on-error leads to it`,
      );
    }
  });
  for (const loop of flow.cycles) {
    const ids = loop.map((i) => pb.steps[i].id);
    err(
      C.cycle,
      ['steps', loop[loop.length - 1]],
      ids[ids.length - 1],
      `steps form a cycle: ${[...ids, ids[0]].join(' → ')} (use retry for repeats, foreach for lists)`,
    );
  }

  // Inputs.
  for (const [name, decl] of Object.entries(pb.inputs ?? {})) {
    if (decl.default !== undefined && !hasType(decl.default, decl.type)) {
      err(
        C.badDefault,
        ['inputs', name, 'default'],
        null,
        `inputs.${name}: default ${JSON.stringify(decl.default)} is not ${article(decl.type)}`,
      );
    }
    if (pb.trigger && decl.required && decl.default === undefined) {
      err(
        C.requiredInputOnTrigger,
        ['inputs', name],
        null,
        `inputs.${name} is required and has no default, but a triggered run has nobody to give it: add a default or make it optional`,
      );
    }
  }

  // Expressions: syntax, then every reference.
  const outputOf = (i: number) => stepOutputSchema(pb.steps[i], resolve);
  const checkExpr = (source: string, site: Site) => {
    const stepId = typeof site.step === 'number' ? pb.steps[site.step].id : null;
    const fail = (code: PlaybookLoadCode, message: string) => err(code, site.path, stepId, message);
    let refs;
    try {
      refs = expressions.compile(source).references;
    } catch (e) {
      fail(C.expression, e instanceof ConnectorError ? e.message : String(e));
      return;
    }
    for (const r of refs) {
      const [root, ...rest] = r.path;
      const shown = r.path.join('.');
      if (site.step === 'trigger') {
        if (root !== 'incident') {
          fail(
            C.triggerReference,
            `${shown}: a trigger condition sees only the incident (incident.name, incident.severity, incident.fields, incident.tags, ...)`,
          );
          continue;
        }
      }
      if (root === 'incident') {
        const res = resolvePath(Incident, rest);
        if (!res.ok) {
          const at = rest.slice(0, res.depth);
          fail(C.unknownReference, `${shown}: incident${at.length ? `.${at.join('.')}` : ''} ${res.reason}`);
        }
      } else if (root === 'inputs') {
        if (rest.length === 0) continue;
        const decl: InputDecl | undefined = pb.inputs?.[rest[0]];
        if (!decl) {
          const declared = Object.keys(pb.inputs ?? {});
          fail(
            C.unknownReference,
            `${shown}: no input "${rest[0]}" is declared (inputs: ${declared.length ? declared.join(', ') : 'none'})`,
          );
        } else if (rest.length > 1 && decl.type !== 'object' && decl.type !== 'array') {
          fail(
            C.unknownReference,
            `${shown}: inputs.${rest[0]} is ${article(decl.type)}, it has no field "${rest[1]}"`,
          );
        }
      } else if (root === 'steps') {
        if (rest.length === 0) continue;
        const target = index.get(rest[0]);
        if (target === undefined) {
          fail(C.unknownReference, `${shown}: there is no step "${rest[0]}"`);
          continue;
        }
        const field = rest[1];
        if (field !== undefined && field !== 'output' && field !== 'status' && field !== 'error') {
          fail(C.unknownReference, `${shown}: a step has output, status and error, not "${field}"`);
          continue;
        }
        const at = typeof site.step === 'number' ? site.step : 'end';
        const needsSuccess = field === undefined || field === 'output';
        if (!flow.before(target, at, needsSuccess)) {
          fail(
            C.stepNotBefore,
            `${shown}: step "${rest[0]}" does not always ${needsSuccess ? 'succeed' : 'run'} before ${at === 'end' ? 'the run ends' : `step "${stepId}"`}, so its ${field ?? 'result'} may not exist here`,
          );
          continue;
        }
        if (field === 'output' && rest.length > 2) {
          const res = resolvePath(outputOf(target), rest.slice(2));
          if (!res.ok) {
            const upTo = rest.slice(2, 2 + res.depth);
            fail(
              C.unknownReference,
              `${shown}: the output of ${pb.steps[target].kind} step "${rest[0]}"${upTo.length ? ` at ${upTo.join('.')}` : ''} ${res.reason}`,
            );
          }
        }
      } else if (root === 'item' || root === 'index') {
        if (!site.inForeachBody)
          fail(C.itemOutsideForeach, `${shown}: ${root} exists only inside a foreach step's "do"`);
      } else if (root === 'run') {
        if (rest.length > 0 && !RUN_FIELDS.includes(rest[0]))
          fail(C.unknownReference, `${shown}: run has ${RUN_FIELDS.join(', ')}`);
      } else if (root === 'secrets') {
        if (!site.secrets)
          fail(
            C.undeclaredSecret,
            `${shown}: secrets are usable only in an http step's url, headers and body`,
          );
        else if (rest.length > 0 && !(rest[0] in site.secrets)) {
          fail(
            C.undeclaredSecret,
            `${shown}: secret "${rest[0]}" is not declared in this step's secrets (declare it as ${rest[0]}: ENV_VAR_NAME)`,
          );
        }
      } else {
        fail(C.unknownReference, `${shown}: "${root}" is not in the run scope (${SCOPE_ROOTS.join(', ')})`);
      }
    }
  };
  const checkTemplate = (value: unknown, site: Site) => {
    const walk = (v: unknown, path: (string | number)[]) => {
      if (typeof v === 'string') {
        let t;
        try {
          t = parseTemplateString(v);
        } catch (e) {
          err(
            C.expression,
            path,
            typeof site.step === 'number' ? pb.steps[site.step].id : null,
            `${fieldName(path)}: ${e instanceof TemplateSyntaxError ? e.message : String(e)}`,
          );
          return;
        }
        if (t.kind === 'expr') checkExpr(t.expr, { ...site, path });
        else if (t.kind === 'interpolate')
          for (const p of t.parts) if (typeof p === 'object') checkExpr(p.expr, { ...site, path });
      } else if (Array.isArray(v)) v.forEach((x, k) => walk(x, [...path, k]));
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, [...path, k]);
    };
    walk(value, site.path);
  };

  if (pb.trigger?.when !== undefined)
    checkExpr(pb.trigger.when, { path: ['trigger', 'when'], step: 'trigger', inForeachBody: false });
  for (const [name, source] of Object.entries(pb.outputs ?? {}))
    checkExpr(source, { path: ['outputs', name], step: 'end', inForeachBody: false });

  const checkBody = (s: Step | ForeachBody, i: number, base: (string | number)[], inBody: boolean) => {
    const site = (field: string): Site => ({ path: [...base, field], step: i, inForeachBody: inBody });
    const stepId = pb.steps[i].id;
    switch (s.kind) {
      case 'command': {
        const args = commandArgs[s.command];
        const given = s.with ?? {};
        for (const k of Object.keys(given))
          if (!(k in args.properties))
            err(
              C.inputMismatch,
              [...base, 'with', k],
              stepId,
              `command ${s.command} has no argument "${k}" (it takes ${Object.keys(args.properties).join(', ')})`,
            );
        for (const k of args.required ?? [])
          if (!(k in given) && (args.properties[k] as TSchema).default === undefined)
            err(C.inputMismatch, [...base, 'with'], stepId, `command ${s.command} needs the argument "${k}"`);
        checkTemplate(given, site('with'));
        break;
      }
      case 'http': {
        const secrets = s.secrets ?? {};
        for (const f of ['url', 'headers', 'body'] as const)
          if (s[f] !== undefined) checkTemplate(s[f], { ...site(f), secrets });
        break;
      }
      case 'set':
        checkTemplate(s.values, site('values'));
        break;
      case 'update-incident':
        for (const f of [
          'status',
          'severity',
          'owner',
          'addTags',
          'removeTags',
          'note',
          'closeReason',
        ] as const)
          if (s[f] !== undefined) checkTemplate(s[f], site(f));
        break;
      case 'deliver': {
        checkTemplate(s.sink, site('sink'));
        // `${ inputs.X }` must name a string input: a sink is a name.
        const input = /^\$\{\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*\}$/.exec(s.sink)?.[1];
        const type = input === undefined ? undefined : pb.inputs?.[input]?.type;
        if (type !== undefined && type !== 'string')
          err(
            C.inputMismatch,
            [...base, 'sink'],
            stepId,
            `sink: inputs.${input} is a ${type}; a sink is named by a string`,
          );
        if (s.message !== undefined) checkTemplate(s.message, site('message'));
        break;
      }
      case 'playbook': {
        const sub = resolve(s.playbook, s.version);
        const via = sub && s.playbook !== pb.name ? callChain(sub, pb.name, resolve, new Set()) : null;
        const chain = !sub ? null : s.playbook === pb.name ? [pb.name, pb.name] : via && [pb.name, ...via];
        if (chain) {
          err(
            C.cycle,
            [...base, 'playbook'],
            stepId,
            `playbook ${pb.name} calls itself: ${chain.join(' → ')} (a run would never end)`,
          );
        }
        if (!sub) {
          err(
            C.unknownPlaybook,
            [...base, 'playbook'],
            stepId,
            `no playbook "${s.playbook}"${s.version ? ` version ${s.version}` : ''} is loaded`,
          );
        } else {
          const given = s.with ?? {};
          const declared = sub.inputs ?? {};
          for (const [k, v] of Object.entries(given)) {
            const decl = declared[k];
            if (!decl)
              err(
                C.inputMismatch,
                [...base, 'with', k],
                stepId,
                `playbook ${sub.name} has no input "${k}" (inputs: ${Object.keys(declared).join(', ') || 'none'})`,
              );
            else if (!(typeof v === 'string' && v.includes('${')) && !hasType(v, decl.type))
              err(
                C.inputMismatch,
                [...base, 'with', k],
                stepId,
                `playbook ${sub.name} input "${k}" is ${article(decl.type)}, got ${JSON.stringify(v)}`,
              );
          }
          for (const [k, decl] of Object.entries(declared))
            if (decl.required && decl.default === undefined && !(k in given))
              err(C.inputMismatch, [...base, 'with'], stepId, `playbook ${sub.name} needs the input "${k}"`);
        }
        if (s.with !== undefined) checkTemplate(s.with, site('with'));
        break;
      }
    }
  };

  pb.steps.forEach((s, i) => {
    const base = ['steps', i];
    const site = (field: (string | number)[]): Site => ({
      path: [...base, ...field],
      step: i,
      inForeachBody: false,
    });
    switch (s.kind) {
      case 'switch':
        s.cases.forEach((c, k) => checkExpr(c.when, site(['cases', k, 'when'])));
        break;
      case 'foreach':
        checkExpr(s.items, site(['items']));
        checkBody(s.do, i, [...base, 'do'], true);
        break;
      case 'manual':
        checkTemplate(s.prompt, site(['prompt']));
        if (s.assignee !== undefined) checkTemplate(s.assignee, site(['assignee']));
        break;
      case 'wait':
        if (s.until !== undefined) checkExpr(s.until, site(['until']));
        break;
      case 'fail':
        checkTemplate(s.message, site(['message']));
        break;
      default:
        checkBody(s, i, base, false);
    }
  });
  return errors;
}

export function hasType(v: unknown, type: InputType): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** The names from `from` down to a call of `target`, or null when `from` never calls it. */
function callChain(
  from: Playbook,
  target: string,
  resolve: PlaybookResolver,
  seen: Set<string>,
): string[] | null {
  const key = `${from.name}@${from.version}`;
  if (seen.has(key)) return null;
  seen.add(key);
  for (const s of from.steps) {
    const call = s.kind === 'playbook' ? s : s.kind === 'foreach' && s.do.kind === 'playbook' ? s.do : null;
    if (!call) continue;
    if (call.playbook === target) return [from.name, target];
    const next = resolve(call.playbook, call.version);
    const rest = next ? callChain(next, target, resolve, seen) : null;
    if (rest) return [from.name, ...rest];
  }
  return null;
}
