import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Query parameters that carry secrets, as normalised by `secretKey`; masked wherever a URL is
 * logged. Clients misplace header tokens in the query (`?x-api-token=`), or send arrays.
 */
const SECRET_KEYS = new Set([
  'token',
  'apitoken',
  'xapitoken',
  'xusertoken',
  'usertoken',
  'shippingtoken',
  'accesstoken',
  'authorization',
  'password',
  'secret',
]);

/**
 * A query key as a parser may read it: `%74oken` is `token`, `token[]` and `token[0]` are
 * `token`, and case, `-` and `_` do not matter (`X-API-Token`, `api_token`).
 */
function secretKey(raw: string): boolean {
  let key: string;
  try {
    key = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    key = raw;
  }
  key = key
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '')
    .replace(/[-_\s]/g, '');
  return SECRET_KEYS.has(key);
}

/** Token-shaped path segments: a UUID (the shape of our and Logz.io's tokens), or a long run of letters mixed with digits. */
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LONG_SECRET = /^(?=[^/]*\d)(?=[^/]*[a-z])[a-z0-9_~+=-]{20,}$/i;

function redactPath(path: string): string {
  return path
    .split('/')
    .map((seg) => {
      let plain: string;
      try {
        plain = decodeURIComponent(seg);
      } catch {
        plain = seg;
      }
      return UUID.test(plain) || LONG_SECRET.test(plain) ? '[REDACTED]' : seg;
    })
    .join('/');
}

/** The URL with secret query values and token-shaped path segments replaced by [REDACTED]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = redactPath(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && secretKey(key) ? `${key}=[REDACTED]` : pair;
    });
  return `${path}?${pairs.join('&')}`;
}

/**
 * Structured logs; tokens never leave the process through them. Stdout unless `destination`.
 * The level is the caller's (`opts.level`; the CLI reads SIEMLINK_LOG_LEVEL), `info` by default.
 */
export function createLogger(opts: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: 'info',
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
