export * from './define.ts';
export * from './payload.ts';
export * from './config.ts';
export { SINK_KINDS, sinkKind } from './registry.ts';
export { openSinks, closeSinks } from './open.ts';
export { webhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.ts';
