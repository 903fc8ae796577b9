export * from './options.ts';
export * from './cursor.ts';
export { invalidFetchOption, corruptCursor } from '../errors.ts';
export * from './mapping.ts';
export * from './types.ts';
export { fetchIncidentsOnce, runFetchLoop } from './fetcher.ts';
export { planSearchRun } from './search-run.ts';
export { planFeedRun } from './feed-run.ts';
export { createSearchReadAhead, type SearchReadAhead } from './read-ahead.ts';
