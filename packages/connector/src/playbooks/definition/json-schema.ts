import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Playbook } from './schema.ts';

/** Where the published schema lives (editors point `yaml-language-server: $schema=` at it). */
export const PLAYBOOK_SCHEMA_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '..',
  'docs',
  'playbook.schema.json',
);

/** The playbook file's JSON Schema, generated from the TypeBox definition (the single source). */
export function playbookJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'siemlink playbook',
    description:
      'One playbook per YAML file. Expressions are JSONata over { incident, inputs, steps, item, index, run }; ' +
      'templates are literals or strings with ${ expr } parts. Generated from packages/connector/src/playbooks/definition/schema.ts.',
    // JSON round trip: drops TypeBox's symbol keys, keeps exactly the JSON Schema.
    ...(JSON.parse(JSON.stringify(Playbook)) as Record<string, unknown>),
  };
}

// `node packages/connector/src/playbooks/definition/json-schema.ts` rewrites docs/playbook.schema.json.
if (import.meta.main) {
  await writeFile(PLAYBOOK_SCHEMA_FILE, `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`);
}
