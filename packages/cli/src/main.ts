import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { CliError } from './errors.js';
import { errorText } from './output.js';

/**
 * Runs the CLI with `argv` (node, script, args...) and returns the exit code. Errors the user can fix are printed
 * as one clear line, without a stack.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) {
      process.stderr.write(`${errorText('error:')} ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`${errorText('error:')} ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    if (env.UPDRAFT_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}
