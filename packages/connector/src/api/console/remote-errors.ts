import { ConnectorError, HttpError, apiError, type HttpErrorCode } from '../../errors.ts';

/**
 * A SIEM call that failed, as the console's answer: a missing token is the operator's to fix
 * (503 naming the setting), a remote 4xx keeps its status, message and field, anything else goes
 * to the error handler (500, details only in the log).
 */
export function remoteError(err: unknown): never {
  if (err instanceof ConnectorError && err.code === 'MISSING_TOKEN')
    throw apiError('MISSING_TOKEN', err.message);
  if (err instanceof HttpError && err.status !== undefined && err.status >= 400 && err.status < 500) {
    // A 4xx never maps to SERVER_ERROR (HttpError's code follows its status).
    const code = `SIEM_${err.code}` as `SIEM_${Exclude<HttpErrorCode, 'SERVER_ERROR'>}`;
    throw apiError(code, err.message, err.field, err.status === 401 || err.status === 403 ? 502 : err.status);
  }
  throw err;
}
