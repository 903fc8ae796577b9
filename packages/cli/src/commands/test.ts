import type { Command } from 'commander';
import { testCommand } from '@siemlink/connector/commands/test-connection.ts';
import { addConnectionOptions, openConnector, type ConnectionFlags } from '../connector-options.ts';
import { isTerminal, printJson, printText } from '../output.ts';

/** `test`: one line per token; exit code 1 if a configured token fails or none is set. */
export function registerTest(program: Command): void {
  addConnectionOptions(program.command('test').description(testCommand.description)).action(
    async (flags: ConnectionFlags) => {
      const rt = openConnector(flags);
      try {
        const r = await testCommand.invoke({}, rt.deps);
        if (isTerminal()) {
          printText(`API: ${rt.client.apiUrl}`);
          for (const c of r.checks) printText(`${c.token} token: ${c.detail}`);
          if (!r.checks.some((c) => c.status !== 'not set')) printText('no token configured');
        } else printJson({ apiUrl: rt.client.apiUrl, ...r });
        if (!r.ok) process.exitCode = 1;
      } finally {
        await rt.close();
      }
    },
  );
}
