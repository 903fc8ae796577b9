import { Type, type Static } from '@sinclair/typebox';

/** Letters, digits, '-', '.', '_' and space: the characters Logz.io allows in an account name. */
export const ACCOUNT_NAME_PATTERN = '^[A-Za-z0-9 ._-]+$';

export const CreateSiemAccountRequest = Type.Object({
  accountName: Type.String({ minLength: 1, maxLength: 100, pattern: ACCOUNT_NAME_PATTERN }),
  email: Type.String({ format: 'email', maxLength: 254 }),
  accountsToScan: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 })),
  isUsingRepositoryAccount: Type.Optional(Type.Boolean()),
});
export type CreateSiemAccountRequest = Static<typeof CreateSiemAccountRequest>;

/** Exactly the documented 200 body; the new account's API token travels in a response header. */
export const SiemAccount = Type.Object({
  accountId: Type.Integer(),
  accountName: Type.String(),
  accountsToScan: Type.Array(Type.Integer()),
  createdAt: Type.String({ description: 'yyyy-mm-ddThh:mm:ssZ' }),
  isUsingRepositoryAccount: Type.Boolean(),
});
export type SiemAccount = Static<typeof SiemAccount>;

/** Header that carries the API token of a newly created SIEM account (our extension). */
export const NEW_ACCOUNT_TOKEN_HEADER = 'x-siemlink-account-api-token';

export const WhoAmI = Type.Object({ accountName: Type.String(), accountId: Type.Integer() });
export type WhoAmI = Static<typeof WhoAmI>;

export const AccountType = Type.Union([Type.Literal('LOGS'), Type.Literal('SIEM')]);
export type AccountType = Static<typeof AccountType>;

/** `DIR/credentials.json`, written by the SIEM on first start. */
export const Credentials = Type.Object({
  apiUrl: Type.String(),
  listenerUrl: Type.String(),
  accounts: Type.Array(
    Type.Object({
      accountId: Type.Integer(),
      accountName: Type.String(),
      type: AccountType,
      apiToken: Type.String(),
      shippingToken: Type.Optional(Type.String()),
    }),
  ),
});
export type Credentials = Static<typeof Credentials>;
