/**
 * Playbook expressions: what the budget hooks (steps, depth, time, abort) and the compile cache
 * cost. Baselines in the same run: plain JSONata compiled once without hooks, and JSONata
 * compiled on every evaluation (what a wrapper without a cache would do).
 */
import jsonata from 'jsonata';
import { createExpressions } from '../packages/connector/src/playbooks/expressions/expressions.ts';

const hits = Array.from({ length: 1000 }, (_, i) => ({
  user: `user${i % 50}`,
  src_ip: `10.0.${i % 250}.${i % 200}`,
  hostname: `web-${i % 20}`,
}));
const scope = {
  incident: { severity: 3, name: 'Brute force', fields: { 'groupBy.src_ip': '95.163.1.2' } },
  inputs: { UserFields: 'user,account', InternalIPRange: '10.0.0.0/8,192.168.0.0/16' },
  steps: { hunt: { output: { hits }, status: 'succeeded', error: null } },
  run: { id: 'r', playbook: 'p', version: 1 },
};
const cases = [
  { name: 'condition', expr: 'incident.severity >= 3 and $contains(incident.name, "Brute")', n: 20_000 },
  {
    name: 'extract users over 1000 hits',
    expr: '$distinct([steps.hunt.output.hits.($hit := $; $split($$.inputs.UserFields, ",").$lookup($hit, $trim($)))])',
    n: 10,
  },
];

async function time(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(n, 20); i++) await fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (n / (performance.now() - t)) * 1000;
}

const ours = createExpressions();
for (const c of cases) {
  const plain = jsonata(c.expr);
  const oursPerSec = await time(c.n, () => ours.evaluate(c.expr, scope));
  const plainPerSec = await time(c.n, () => plain.evaluate(scope));
  const recompilePerSec = await time(c.n, () => jsonata(c.expr).evaluate(scope));
  console.log(
    `${c.name}: ours ${oursPerSec.toFixed(0)}/s, plain JSONata compiled once ${plainPerSec.toFixed(0)}/s ` +
      `(ratio ${(oursPerSec / plainPerSec).toFixed(2)}), compiled every time ${recompilePerSec.toFixed(0)}/s ` +
      `(ours ${(oursPerSec / recompilePerSec).toFixed(2)}x)`,
  );
}
