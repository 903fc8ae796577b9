/**
 * The SIEM under test for bench/hostile.ts, in its own process so a freeze shows up as a freeze
 * (and the probe keeps its own event loop). Prints one line `READY {credentials}` once listening.
 * argv: data dir.
 */
import pino from 'pino';
import { startSiem } from '../packages/siem/src/server.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: hostile-server.ts DATA_DIR');
const siem = await startSiem(
  { dataDir, host: '127.0.0.1', port: 0, listenerPort: 0 },
  { logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }) },
);
await siem.ready;
process.stdout.write(`READY ${JSON.stringify(siem.credentials)}\n`);
process.on('SIGTERM', () => void siem.close().then(() => process.exit(0)));
