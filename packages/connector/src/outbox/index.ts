export * from './types.ts';
export * from './routing.ts';
export * from './retry.ts';
export { createDispatcher, type Dispatcher, type DispatchedSink, type Delivered } from './dispatcher.ts';
