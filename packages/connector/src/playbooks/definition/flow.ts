import type { Step } from './schema.ts';

/**
 * The control-flow graph of a playbook's steps. Each step is two nodes, "entered" and
 * "succeeded": a success edge leads to its `next` (or switch branches), its `on-error` edge leaves
 * from "entered". So `steps.a.output` is usable at step b only if "a succeeded" dominates b (every
 * path to b passes through a's success), while `steps.a.error` needs only "a entered".
 */
export interface Flow {
  /** Steps reachable from the first one. */
  reachable: boolean[];
  /** Each distinct cycle, as step indexes in flow order. */
  cycles: number[][];
  /** Whether step `a` always ran (and, with `succeeded`, succeeded) before step `b` (or the run's successful end). */
  before(a: number, b: number | 'end', succeeded: boolean): boolean;
}

/** `target(id)` is the index of a step id, or undefined for an unknown one (reported elsewhere). */
export function buildFlow(steps: readonly Step[], target: (id: string) => number | undefined): Flow {
  const n = steps.length;
  const END = 2 * n;
  const edges: number[][] = Array.from({ length: 2 * n + 1 }, () => []);
  const link = (from: number, id: string | undefined) => {
    const t = id === undefined ? undefined : target(id);
    if (t !== undefined) edges[from].push(t);
  };
  steps.forEach((s, i) => {
    const ok = n + i;
    if (s.kind === 'end') edges[i].push(END);
    else if (s.kind !== 'fail') edges[i].push(ok);
    link(i, s['on-error']);
    if (s.kind === 'switch') {
      for (const c of s.cases) link(ok, c.next);
      link(ok, s.default);
    } else if (s.kind !== 'end' && s.kind !== 'fail') {
      if (s.next !== undefined) link(ok, s.next);
      else edges[ok].push(i + 1 < n ? i + 1 : END);
    }
  });

  const reach = (without: number): Uint8Array => {
    const seen = new Uint8Array(2 * n + 1);
    if (n === 0 || without === 0) return seen;
    const stack = [0];
    seen[0] = 1;
    while (stack.length) {
      for (const t of edges[stack.pop()!]) {
        if (t === without || seen[t]) continue;
        seen[t] = 1;
        stack.push(t);
      }
    }
    return seen;
  };
  const all = reach(-1);
  const cache = new Map<number, Uint8Array>();

  return {
    reachable: steps.map((_, i) => all[i] === 1),
    cycles: findCycles(edges, n),
    before(a, b, succeeded) {
      if (a === b) return false;
      const removed = succeeded ? n + a : a;
      let r = cache.get(removed);
      if (!r) cache.set(removed, (r = reach(removed)));
      return r[b === 'end' ? END : b] === 0;
    },
  };
}

function findCycles(edges: number[][], n: number): number[][] {
  const color = new Uint8Array(edges.length);
  const stack: number[] = [];
  const found = new Map<string, number[]>();
  const visit = (v: number) => {
    color[v] = 1;
    stack.push(v);
    for (const t of edges[v]) {
      if (color[t] === 1) {
        const loop: number[] = [];
        for (const x of stack.slice(stack.lastIndexOf(t))) {
          const step = x % n;
          if (x < 2 * n && loop[loop.length - 1] !== step) loop.push(step);
        }
        const key = [...new Set(loop)].sort((a, b) => a - b).join(',');
        if (!found.has(key)) found.set(key, loop);
      } else if (color[t] === 0) visit(t);
    }
    stack.pop();
    color[v] = 2;
  };
  for (let v = 0; v < edges.length; v++) if (color[v] === 0) visit(v);
  return [...found.values()];
}
