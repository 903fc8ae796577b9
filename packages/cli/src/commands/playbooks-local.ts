import { argumentError } from '../options.ts';

/** `playbooks validate PATH...` (needs the playbook loader). */
export async function runPlaybooksValidate(_paths: string[]): Promise<void> {
  throw argumentError('playbooks validate is not available in this build yet');
}

/** `playbooks test FILE --incident ID` (needs the playbook engine). */
export async function runPlaybooksTest(_file: string, _flags: { incident: string }): Promise<void> {
  throw argumentError('playbooks test is not available in this build yet');
}
