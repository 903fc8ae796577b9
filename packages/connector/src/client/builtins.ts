/**
 * node:http as its CommonJS object: an ESM `import ... from 'node:http'` builds the module's ESM
 * facade, which reads every export, the lazy WebSocket/EventSource ones too, and so loads Node's
 * bundled undici (~50 ms and ~10 MB that a one-shot CLI run never uses).
 */
export const http = process.getBuiltinModule('node:http');

/** node:https, and with it node:tls (~7 MB and ~20 ms): loaded at the first https: connection. */
export const https = () => process.getBuiltinModule('node:https');

export const tls = () => process.getBuiltinModule('node:tls');
