export { buildApiApp, type ApiDeps } from './app.ts';
export { installApiErrorHandler } from './error-handler.ts';
