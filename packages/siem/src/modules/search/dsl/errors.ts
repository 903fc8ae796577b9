import { SiemError, type SiemErrorCode } from '../../../errors.ts';

/** A 400 naming the path of the offending DSL element (`query.bool.must[0].range`). */
export function invalidQuery(
  path: string,
  message: string,
  code: SiemErrorCode = 'INVALID_QUERY',
): SiemError {
  return new SiemError({ code, status: 400, field: path, message: `${path}: ${message}` });
}

/** Constructs Logz.io refuses on purpose (leading wildcards, expansion limits, some aggs). */
export function forbiddenQuery(path: string, message: string): SiemError {
  return invalidQuery(path, message, 'FORBIDDEN_QUERY');
}
