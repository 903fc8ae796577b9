export {
  BUILTIN_PLAYBOOKS_DIR,
  loadPlaybookFile,
  loadPlaybooks,
  type LoadOptions,
  type LoadResult,
} from './load.ts';
export { validatePlaybooks, type ValidationResult } from './validate.ts';
export { formatLoadError, formatLoadErrors } from './load-error.ts';
export { playbookJsonSchema, PLAYBOOK_SCHEMA_FILE } from './json-schema.ts';
export { stepOutputSchema, CommandOutputs } from './outputs.ts';
