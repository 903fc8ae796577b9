import { SiemError } from '../errors.ts';

/** Every parse failure is the caller's: a 400 naming the problem, never a 500. */
export function invalidLucene(message: string, field = 'query'): SiemError {
  return new SiemError({ code: 'INVALID_LUCENE', field, message: `${field}: ${message}` });
}

export function leadingWildcard(term: string, field = 'query'): SiemError {
  return new SiemError({
    code: 'LEADING_WILDCARD',
    field,
    message: `${field}: '${term}' contains a wildcard search with leading wildcard which is not allowed`,
  });
}
