import { configError } from '../errors.ts';

/** Logz.io region codes; `us` is the only one without a suffix in its API host. */
export const REGIONS = ['us', 'au', 'ca', 'eu', 'nl', 'uk', 'wa'] as const;
export type Region = (typeof REGIONS)[number];

export function isRegion(code: string): code is Region {
  return (REGIONS as readonly string[]).includes(code);
}

/** `us` -> https://api.logz.io, any other code -> https://api-<code>.logz.io. */
export function regionApiUrl(code: string): string {
  const c = code.trim().toLowerCase();
  if (!isRegion(c)) {
    throw configError(
      '--region',
      `unknown region "${code}"; valid codes: ${REGIONS.join(', ')} (or give --api-url)`,
      'UNKNOWN_REGION',
    );
  }
  return c === 'us' ? 'https://api.logz.io' : `https://api-${c}.logz.io`;
}

/**
 * The API base URL: a custom `apiUrl` wins over `region` (so a local SIEM or a proxy path can be
 * used with a region left in the environment); neither means `us`. The result never ends in '/',
 * and a path prefix (e.g. behind a gateway) is kept.
 */
export function resolveApiUrl(input: { apiUrl?: string; region?: string }): string {
  if (input.apiUrl) {
    let url: URL;
    try {
      url = new URL(input.apiUrl);
    } catch {
      throw configError('--api-url', `"${input.apiUrl}" is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw configError('--api-url', `must be an http(s) URL, got "${url.protocol}"`);
    }
    if (url.username || url.password) {
      throw configError('--api-url', 'must not carry credentials; use the token options');
    }
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/+$/, '');
  }
  return regionApiUrl(input.region ?? 'us');
}
