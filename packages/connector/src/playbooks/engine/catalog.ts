import type { InputType, Playbook } from '../definition/schema.ts';
import type { LoadedPlaybook } from '../types.ts';
import { playbookInvalidInput } from '../../errors.ts';

/** The loaded playbooks by name and version; without a version, the highest. */
export interface Catalog {
  get(name: string, version?: number): Playbook | null;
  list(): LoadedPlaybook[];
}

export function createCatalog(playbooks: readonly LoadedPlaybook[]): Catalog {
  const byName = new Map<string, Map<number, Playbook>>();
  for (const p of playbooks) {
    const versions = byName.get(p.definition.name) ?? new Map<number, Playbook>();
    versions.set(p.definition.version, p.definition);
    byName.set(p.definition.name, versions);
  }
  return {
    get(name, version) {
      const versions = byName.get(name);
      if (!versions) return null;
      if (version !== undefined) return versions.get(version) ?? null;
      return versions.get(Math.max(...versions.keys())) ?? null;
    },
    list: () => [...playbooks],
  };
}

const typeOf = (v: unknown): InputType | 'null' =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as InputType);

/** The run's inputs: given values checked against the declared types, defaults for the rest. */
export function resolveInputs(
  pb: Playbook,
  given: Record<string, unknown> | undefined,
  field = 'body.inputs',
): Record<string, unknown> {
  const decl = pb.inputs ?? {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(given ?? {})) {
    if (!(k in decl)) {
      const known = Object.keys(decl);
      throw playbookInvalidInput(
        `${field}.${k}`,
        `playbook "${pb.name}" declares no input "${k}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
      );
    }
  }
  for (const [k, d] of Object.entries(decl)) {
    const v = given?.[k];
    if (v === undefined || v === null) {
      if (d.default !== undefined) out[k] = d.default;
      else if (d.required) throw playbookInvalidInput(`${field}.${k}`, 'is required');
      else out[k] = null;
      continue;
    }
    if (typeOf(v) !== d.type) {
      throw playbookInvalidInput(`${field}.${k}`, `must be of type ${d.type}, got ${typeOf(v)}`);
    }
    out[k] = v;
  }
  return out;
}
