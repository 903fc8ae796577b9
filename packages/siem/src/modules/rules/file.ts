import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { SecurityRuleRequest } from '@siemlink/contracts';
import { SiemError } from '../../errors.ts';
import { checkRuleRequest } from './validate.ts';

function fileError(path: string, message: string, field?: string, cause?: unknown): SiemError {
  return new SiemError({
    code: 'INVALID_RULES_FILE',
    field,
    message: `rules file ${path}: ${message}`,
    cause,
  });
}

/**
 * Reads a JSON array of SecurityRuleRequest from a file and validates each rule exactly as
 * `POST /v2/security/rules` would (schema, then Lucene, filters, tiers, cron). Errors name the
 * rule by index and title and the field, e.g. `rules[2].subComponents.0.trigger.operator`.
 * Defaults are applied. `now` (epoch ms) is what date math and cron checks are relative to.
 */
export function loadRulesFile(path: string, now = 0): SecurityRuleRequest[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(
      path,
      `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      undefined,
      err,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fileError(path, `is not valid JSON (${(err as Error).message})`, undefined, err);
  }
  if (!Array.isArray(raw)) throw fileError(path, 'must be a JSON array of security rules');
  return raw.map((item, i) => {
    const at = `rules[${i}]`;
    const title =
      item && typeof item === 'object' && typeof (item as { title?: unknown }).title === 'string'
        ? ` ('${(item as { title: string }).title}')`
        : '';
    const withDefaults = Value.Default(
      SecurityRuleRequest,
      Value.Clean(SecurityRuleRequest, structuredClone(item)),
    );
    const first = Value.Errors(SecurityRuleRequest, withDefaults).First();
    if (first) {
      const field = first.path ? `${at}${first.path.replaceAll('/', '.')}` : at;
      throw fileError(path, `rule ${i}${title}: ${field} ${first.message}`, field);
    }
    const req = withDefaults as SecurityRuleRequest;
    try {
      checkRuleRequest(req, at, now);
    } catch (err) {
      if (err instanceof SiemError)
        throw fileError(path, `rule ${i}${title}: ${err.message}`, err.field, err);
      throw err;
    }
    return req;
  });
}
