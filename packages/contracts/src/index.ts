export * from './common.ts';
export * from './errors.ts';
export * from './accounts.ts';
export * from './events.ts';
export * from './feed.ts';
export * from './logs.ts';
export * from './search.ts';
export * from './rules.ts';
