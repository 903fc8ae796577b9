import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { PLAYBOOK_SCHEMA_FILE, playbookJsonSchema } from '../../src/playbooks/definition/json-schema.ts';

test('docs/playbook.schema.json is generated from the TypeBox schema and is current', async () => {
  const published = JSON.parse(await readFile(PLAYBOOK_SCHEMA_FILE, 'utf8')) as {
    properties: { steps: { items: { anyOf: { properties: { kind: { const: string } } }[] } } };
  };
  assert.deepEqual(
    published,
    playbookJsonSchema(),
    'docs/playbook.schema.json is stale: run `npx node packages/connector/src/playbooks/definition/json-schema.ts` then `npx prettier --write docs/playbook.schema.json`',
  );
  const steps = published.properties.steps.items.anyOf;
  assert.deepEqual(
    steps.map((s) => s.properties.kind.const),
    [
      'command',
      'http',
      'set',
      'switch',
      'foreach',
      'playbook',
      'update-incident',
      'manual',
      'wait',
      'deliver',
      'end',
      'fail',
    ],
  );
});
