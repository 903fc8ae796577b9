import { main } from '../src/program.ts';

/**
 * Runs the CLI in this process. A reader that goes away (`siemlink search-logs | head -1`) closes
 * stdout: the rest of the output has nowhere to go, which is not an error, so exit quietly with 0.
 */
export async function run(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  process.exitCode = await main(argv);
}
