import { Type, type Static } from '@sinclair/typebox';

/**
 * Error body of every Logz.io-style endpoint: `errorCode` is stable and machine-readable,
 * `message` names the field and the rule. Clients that key on `errorCode`/`errorMessage`
 * (the Logz.io Terraform client does) see an error.
 */
export const ErrorBody = Type.Object({
  errorCode: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** RFC 7807 body of the security-event feed (`application/problem+json`), Akamai SIEM style. */
export const ProblemBody = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Optional(Type.Integer()),
  detail: Type.String(),
  instance: Type.String(),
  method: Type.String(),
  serverIp: Type.String(),
  clientIp: Type.String(),
  requestId: Type.String(),
  requestTime: Type.String(),
  errors: Type.Optional(
    Type.Array(Type.Object({ field: Type.Optional(Type.String()), message: Type.String() })),
  ),
});
export type ProblemBody = Static<typeof ProblemBody>;

export const PROBLEM_TYPE_BASE = 'https://problems.cloudsecurity.akamaiapis.net/siem/v1/';
