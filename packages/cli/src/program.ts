import { Command, Option } from 'commander';
import { registerComponentCommands } from './commands/components.js';
import { registerDagsCommands } from './commands/dags.js';
import { registerTasksCommands } from './commands/tasks.js';
import { registerWebCommands } from './commands/web.js';
import { VERSION } from './version.js';

/** Builds the `updraft` command tree. Commands read the environment given here, never `process.env` directly. */
export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('updraft')
    .description('Updraft: Airflow-shaped machine-learning pipelines in TypeScript')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerDagsCommands(program, env);
  registerTasksCommands(program, env);
  registerComponentCommands(program, env);
  registerWebCommands(program, env);
  return program;
}

/** `--dags-folder DIR`, default from `UPDRAFT_DAGS_FOLDER` or `./dags`. */
export function dagsFolderOption(env: NodeJS.ProcessEnv): Option {
  return new Option('-S, --dags-folder <dir>', 'folder of DAG files (env UPDRAFT_DAGS_FOLDER)').default(env.UPDRAFT_DAGS_FOLDER || './dags');
}

/** `--output table|json|plain`, as Airflow's `-o`. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'plain']).default('table');
}
