import { main } from '../src/program.ts';

/** Runs the CLI in this process (a reader that goes away: see `stdout` in src/output.ts). */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv);
}
