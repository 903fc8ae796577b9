import { Type } from '@sinclair/typebox';
import { ACCOUNT_NAME_PATTERN } from '@siemlink/contracts';
import type { CreatedSiemAccount } from '../client/types.ts';
import { defineCommand } from './define.ts';

/** `create-siem-account`: needs the Operations token of the main logs account. */
export const createSiemAccountCommand = defineCommand({
  name: 'create-siem-account',
  description: 'create a Cloud SIEM account (Operations token of the main account)',
  args: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100, pattern: ACCOUNT_NAME_PATTERN }),
    email: Type.String({ maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }),
    accountsToScan: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 })),
    repositoryAccount: Type.Boolean({ default: false }),
  }),
  async run(args, deps): Promise<CreatedSiemAccount> {
    return deps.client.createSiemAccount(
      {
        accountName: args.name,
        email: args.email,
        ...(args.accountsToScan ? { accountsToScan: args.accountsToScan } : {}),
        isUsingRepositoryAccount: args.repositoryAccount,
      },
      { signal: deps.signal },
    );
  },
});
