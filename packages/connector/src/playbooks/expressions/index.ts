export * from './expressions.ts';
export * from './references.ts';
export * from './template.ts';
export { createInCidr } from './in-cidr.ts';
