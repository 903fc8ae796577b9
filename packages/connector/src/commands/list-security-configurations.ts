import { Type } from '@sinclair/typebox';
import type { SecurityConfigurationList } from '@siemlink/contracts';
import { defineCommand } from './define.ts';

/**
 * `security-configurations`: the Security account's configurations (named groups of rules).
 * Their ids are what the security-event feed and the feed fetch mode take.
 */
export const listSecurityConfigurationsCommand = defineCommand({
  name: 'security-configurations',
  description: 'list the security configurations (their ids are what the feed takes; Security token)',
  args: Type.Object({}),
  async run(_args, deps): Promise<SecurityConfigurationList> {
    return deps.client.listSecurityConfigurations({ signal: deps.signal });
  },
});
