/**
 * A commander action that imports its implementation only when the verb runs: `siemlink --help`
 * and every other verb then start without loading the SIEM, Fastify or the connector's client.
 */
export function lazyAction<A extends unknown[]>(
  load: () => Promise<(...args: A) => Promise<void>>,
): (...args: A) => Promise<void> {
  return async (...args) => (await load())(...args);
}
