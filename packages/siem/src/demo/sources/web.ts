import { HOSTILE_PLACES, HOME_PLACES, geoip, ipIn } from '../catalog.ts';
import type { Rng } from '../rng.ts';
import type { DemoLog } from '../types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const ATTACK_TOOLS = [
  'sqlmap/1.8.3#stable (https://sqlmap.org)',
  'Mozilla/5.0 (compatible; Nmap Scripting Engine)',
  'python-requests/2.31.0',
];

const PAGES: [string, string, number[]][] = [
  ['GET', '/', [200, 200, 304]],
  ['GET', '/products', [200]],
  ['GET', '/products/1842', [200, 200, 404]],
  ['GET', '/static/app.js', [200, 304]],
  ['GET', '/static/style.css', [200, 304]],
  ['GET', '/api/cart', [200, 401]],
  ['POST', '/api/cart/items', [201, 400]],
  ['POST', '/login', [200, 302, 401]],
  ['GET', '/favicon.ico', [404]],
];

/** Attack requests: SQL injection, XSS and path traversal, decoded as the access log shows them. */
const ATTACKS: [string, string, number][] = [
  ['GET', "/products.php?id=1' UNION SELECT username,password FROM users--", 500],
  ['GET', "/login?user=admin' OR '1'='1&pass=x", 200],
  ['GET', '/products?id=1; DROP TABLE orders--', 500],
  ['GET', '/search?q=<script>alert(document.cookie)</script>', 200],
  ['GET', '/comment?text=<img src=x onerror=alert(1)>', 400],
  ['GET', '/download?file=../../../../etc/passwd', 403],
  ['GET', '/static/..%2f..%2f..%2fetc%2fshadow', 403],
  ['POST', "/api/login?email=a@b.c' AND SLEEP(5)--", 500],
];

function access(
  rng: Rng,
  ts: number,
  ip: string,
  place: ReturnType<typeof geoip>,
  method: string,
  request: string,
  status: number,
  ua: string,
): DemoLog {
  const bytes = status >= 400 ? rng.int(150, 600) : rng.int(300, 48_000);
  const d = new Date(ts);
  const clf = `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
  return {
    ts,
    doc: {
      type: 'nginx',
      host: rng.pick(['web-01', 'web-02']),
      server_name: 'shop.example.com',
      remote_addr: ip,
      remote_user: '-',
      method,
      request,
      http_version: 'HTTP/1.1',
      status,
      body_bytes_sent: bytes,
      referrer: '-',
      user_agent: ua,
      request_time: Math.round(rng.next() * 800) / 1000,
      geoip: place,
      message: `${ip} - - [${clf}] "${method} ${request} HTTP/1.1" ${status} ${bytes} "-" "${ua}"`,
    },
  };
}

export function normalWeb(rng: Rng, ts: number): DemoLog {
  const place = rng.pick(HOME_PLACES);
  const [method, path, statuses] = rng.pick(PAGES);
  return access(
    rng,
    ts,
    ipIn(rng, place),
    geoip(place),
    method,
    path,
    rng.pick(statuses),
    rng.pick(BROWSERS),
  );
}

/** A scanner from one address runs 8 attack requests within ~40 s. */
export function webAttack(rng: Rng, at: number): DemoLog[] {
  const place = rng.pick(HOSTILE_PLACES);
  const ip = ipIn(rng, place);
  const ua = rng.pick(ATTACK_TOOLS);
  return ATTACKS.map(([method, request, status], i) =>
    access(rng, at + i * 5000 + rng.int(0, 1000), ip, geoip(place), method, request, status, ua),
  );
}
