import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Query parameters that carry secrets; masked wherever a URL is logged. */
const SECRET_QUERY = /([?&](?:token|api_token|apiToken)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]');
}

/** Structured logs; tokens never leave the process through them. Stdout unless `destination`. */
export function createLogger(opts: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: process.env.SIEMLINK_LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'req.headers["x-api-token"]',
        'req.headers["x-user-token"]',
        'req.headers.authorization',
        '*.token',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: { method: string; url: string; id?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        id: req.id,
      }),
    },
    ...opts,
  };
  return destination ? pino(options, destination) : pino(options);
}
