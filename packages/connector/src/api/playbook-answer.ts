import type { FormField } from '../playbooks/definition/schema.ts';

export interface AnswerProblem {
  /** The form field's name. */
  name: string;
  /** The rule it breaks, said after the field's path: "is required", "must be a number". */
  rule: string;
}

/**
 * Every way an answer misses a manual step's form, one problem per field (the console shows each
 * beside its input). Without a form, any answer is an acknowledgement.
 */
export function checkAnswer(
  form: Record<string, FormField> | null | undefined,
  answer: Record<string, unknown>,
): AnswerProblem[] {
  if (!form) return [];
  const problems: AnswerProblem[] = [];
  const names = Object.keys(form);
  for (const name of Object.keys(answer)) {
    if (!(name in form))
      problems.push({ name, rule: `is not a field of the form (${names.join(', ') || 'none'})` });
  }
  for (const [name, f] of Object.entries(form)) {
    const v = answer[name];
    if (v === undefined || v === null || v === '') {
      if (f.required) problems.push({ name, rule: 'is required' });
      continue;
    }
    if (f.type === 'number' && (typeof v !== 'number' || !Number.isFinite(v))) {
      problems.push({ name, rule: 'must be a number' });
    } else if (f.type === 'boolean' && typeof v !== 'boolean') {
      problems.push({ name, rule: 'must be true or false' });
    } else if (f.type === 'string' && typeof v !== 'string') {
      problems.push({ name, rule: 'must be a string' });
    } else if (f.options && !f.options.includes(String(v))) {
      problems.push({ name, rule: `must be one of ${f.options.join(', ')}` });
    }
  }
  return problems;
}
