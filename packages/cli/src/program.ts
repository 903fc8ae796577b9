import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve.ts';

/** Builds the `siemlink` program: thin verbs over the SIEM and the connector packages. */
export function buildProgram(): Command {
  const program = new Command('siemlink')
    .description('A local Logz.io-compatible Cloud SIEM and the SOAR integration that reads it')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = err as { code?: string; message?: string };
    console.error(`siemlink: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(err)}`);
    return 1;
  }
}
