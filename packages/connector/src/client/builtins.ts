/**
 * node:http and node:https as their CommonJS objects. An ESM `import ... from 'node:http'` builds
 * the module's ESM facade, which reads every export, the lazy WebSocket/EventSource ones too,
 * and so loads Node's bundled undici: ~50 ms and ~10 MB a one-shot CLI run never uses.
 */
export const http = process.getBuiltinModule('node:http');
export const https = process.getBuiltinModule('node:https');
