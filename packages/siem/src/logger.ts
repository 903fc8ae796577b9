import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Query parameters that carry secrets (lower case); masked wherever a URL is logged. */
const SECRET_KEYS = new Set(['token', 'api_token', 'apitoken']);

/** A query key as the server's parser reads it: `%74oken` authenticates as `token`. */
function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_KEYS.has(decodeKey(key)) ? `${key}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q + 1)}${pairs.join('&')}`;
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
