import jsonata from 'jsonata';
import { expressionBudgetError, expressionEvalError, expressionSyntaxError } from '../../errors.ts';
import { createInCidr } from './in-cidr.ts';
import { references, type Reference } from './references.ts';
import { interpolated, parseTemplateString, TemplateSyntaxError } from './template.ts';

/**
 * How far one evaluation may go before it is stopped (PLAYBOOK_EXPRESSION_BUDGET). A playbook
 * file is operator-written but an expression can still recurse forever or build a huge sequence;
 * JSONata evaluates on microtasks, so without these a runaway expression starves the event loop
 * (the worker's lease heartbeat included) and no timer could ever stop it.
 */
export interface ExpressionLimits {
  /** AST nodes evaluated. */
  maxSteps: number;
  /** Nesting of evaluations (recursion). */
  maxDepth: number;
  /** Items in one sequence. */
  maxSequence: number;
  /** Milliseconds of evaluation, measured with `now`. */
  timeMs: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  maxSteps: 5_000_000,
  maxDepth: 10_000,
  maxSequence: 1_000_000,
  timeMs: 10_000,
});

/** Every this many steps an evaluation yields to the event loop, so timers and aborts get a turn. */
const YIELD_EVERY = 10_000;

export interface EvaluateOptions {
  /** Aborted: the evaluation stops with the signal's reason at its next step. */
  signal?: AbortSignal;
  /** Tighter limits for this call. */
  limits?: Partial<ExpressionLimits>;
}

export interface CompiledExpression {
  readonly source: string;
  readonly ast: jsonata.ExprNode;
  /** Root paths it reads (see references.ts). */
  readonly references: Reference[];
  evaluate(scope: object, opts?: EvaluateOptions): Promise<unknown>;
}

/** The one interface the engine and the loader see; JSONata stays behind it. */
export interface Expressions {
  /** Parses once and caches; throws PLAYBOOK_EXPRESSION_SYNTAX with the position. */
  compile(source: string): CompiledExpression;
  evaluate(source: string, scope: object, opts?: EvaluateOptions): Promise<unknown>;
  /** Renders a template (see template.ts) against the scope. */
  render(template: unknown, scope: object, opts?: EvaluateOptions): Promise<unknown>;
}

export interface ExpressionsOptions {
  limits?: Partial<ExpressionLimits>;
  /** Compiled expressions kept (least recently used are dropped). */
  cacheSize?: number;
  /** Monotonic milliseconds for the time budget; injectable for tests. */
  now?: () => number;
}

interface Budget {
  limits: ExpressionLimits;
  steps: number;
  start: number;
  signal: AbortSignal | undefined;
  source: string;
}

const ENTRY = Symbol.for('jsonata.__evaluate_entry');
/** The per-evaluation budget travels as a binding; the hook finds it through the base frame. */
const BUDGET_BINDING = '__siemlinkBudget';

export function createExpressions(opts: ExpressionsOptions = {}): Expressions {
  const limits: ExpressionLimits = { ...DEFAULT_EXPRESSION_LIMITS, ...opts.limits };
  const cacheSize = opts.cacheSize ?? 5000;
  const now = opts.now ?? (() => performance.now());
  const cache = new Map<string, CompiledExpression>();
  const inCidr = createInCidr();
  // Keyed by the evaluation's base frame, which JSONata creates per evaluate() call.
  const budgets = new WeakMap<object, Budget>();

  function onEntry(_expr: unknown, _input: unknown, env: { base: object; lookup(n: string): unknown }) {
    let b = budgets.get(env.base);
    if (!b) {
      b = env.lookup(BUDGET_BINDING) as Budget;
      budgets.set(env.base, b);
    }
    b.steps++;
    if (b.signal?.aborted) throw b.signal.reason;
    if (b.steps > b.limits.maxSteps)
      throw expressionBudgetError(b.source, `more than ${b.limits.maxSteps} evaluation steps`);
    if (b.steps % 64 === 0 && now() - b.start > b.limits.timeMs)
      throw expressionBudgetError(b.source, `ran longer than ${b.limits.timeMs} ms`);
    if (b.steps % YIELD_EVERY === 0) return new Promise<void>((r) => setImmediate(r));
    return undefined;
  }

  function compile(source: string): CompiledExpression {
    const hit = cache.get(source);
    if (hit) {
      cache.delete(source);
      cache.set(source, hit);
      return hit;
    }
    let expr: jsonata.Expression;
    try {
      expr = jsonata(source, { stack: limits.maxDepth, sequence: limits.maxSequence });
    } catch (err) {
      const e = err as { message?: string; position?: number };
      throw expressionSyntaxError(source, e.message ?? String(err), e.position);
    }
    expr.assign(ENTRY as unknown as string, onEntry);
    expr.registerFunction('inCidr', inCidr);
    const ast = expr.ast();
    const compiled: CompiledExpression = {
      source,
      ast,
      references: references(ast),
      async evaluate(scope, o = {}) {
        o.signal?.throwIfAborted();
        const budget: Budget = {
          limits: o.limits ? { ...limits, ...o.limits } : limits,
          steps: 0,
          start: now(),
          signal: o.signal,
          source,
        };
        try {
          return plain(await expr.evaluate(scope, { [BUDGET_BINDING]: budget }));
        } catch (err) {
          if (o.signal?.aborted && err === o.signal.reason) throw err;
          if (err instanceof Error && 'code' in err && String(err.code).startsWith('PLAYBOOK_')) throw err;
          const e = err as { code?: string; message?: string };
          if (e.code === 'D1011')
            throw expressionBudgetError(source, `nested deeper than ${limits.maxDepth}`);
          if (e.code === 'D2015')
            throw expressionBudgetError(source, `a sequence longer than ${limits.maxSequence} items`);
          throw expressionEvalError(source, e.message ?? String(err), err);
        }
      },
    };
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(source, compiled);
    return compiled;
  }

  async function render(template: unknown, scope: object, o?: EvaluateOptions): Promise<unknown> {
    if (typeof template === 'string') {
      let t;
      try {
        t = parseTemplateString(template);
      } catch (err) {
        if (err instanceof TemplateSyntaxError) throw expressionSyntaxError(template, err.message);
        throw err;
      }
      if (t.kind === 'literal') return t.value;
      if (t.kind === 'expr') return compile(t.expr).evaluate(scope, o);
      let s = '';
      for (const p of t.parts)
        s += typeof p === 'string' ? p : interpolated(await compile(p.expr).evaluate(scope, o));
      return s;
    }
    if (Array.isArray(template)) {
      const out: unknown[] = [];
      for (const v of template) out.push(await render(v, scope, o));
      return out;
    }
    if (template !== null && typeof template === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(template as Record<string, unknown>))
        out[k] = await render(v, scope, o);
      return out;
    }
    return template;
  }

  return {
    compile,
    evaluate: (source, scope, o) => compile(source).evaluate(scope, o),
    render,
  };
}

/**
 * JSON-shaped copy of a result: JSONata marks its sequences with extra properties and may return
 * functions; what is stored in the journal and passed between steps is plain data.
 */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'function') return undefined;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = plain(x);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return v;
}
