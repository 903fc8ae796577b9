import { createAuth } from '../../src/auth/service.ts';
import type { Role } from '../../src/auth/schemas.ts';
import type { Clock } from '../../src/context.ts';
import type { IncidentStore } from '../../src/store/types.ts';

/** Authorization headers of a fresh API key with this role (for tests that call the API). */
export async function apiKeyHeaders(
  store: IncidentStore,
  clock: Clock,
  role: Role = 'viewer',
): Promise<{ authorization: string }> {
  const { key } = await createAuth({ store, clock }).createApiKey(`test-${role}`, role, 'test');
  return { authorization: `Bearer ${key}` };
}
