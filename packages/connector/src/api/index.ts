export { buildApiApp, type ApiDeps } from './app.ts';
export { ApiError } from './errors.ts';
