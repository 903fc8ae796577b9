import { testCommand } from '@siemlink/connector/commands/test-connection.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { isTerminal, printJson, printText } from '../output.ts';

/** `test`: one line per token; exit code 1 if a configured token fails or none is set. */
export async function runTest(flags: ConnectionFlags): Promise<void> {
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
}
