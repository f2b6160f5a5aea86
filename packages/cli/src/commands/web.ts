import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MetadataStore } from '@updraft/store';
import { type Command, Option } from 'commander';
import { type CliConfig, readConfig } from '../config.js';
import { CliError } from '../errors.js';
import { type OutputFormat, printRows } from '../output.js';
import { outputOption } from '../program.js';
import { openConfiguredStore, untilSignal } from '../services.js';

/** Where the web server listens. */
export interface WebOptions {
  host: string;
  port: string;
}

/** `--host` and `--port`, defaulting to 127.0.0.1:8080 (`UPDRAFT_API_HOST`, `UPDRAFT_API_PORT`). */
export function webOptions(cmd: Command, env: NodeJS.ProcessEnv): Command {
  return cmd
    .addOption(new Option('--host <host>', 'address to listen on (env UPDRAFT_API_HOST); 0.0.0.0 exposes it to the network').default(env.UPDRAFT_API_HOST || '127.0.0.1'))
    .addOption(new Option('-p, --port <port>', 'port (env UPDRAFT_API_PORT)').default(env.UPDRAFT_API_PORT || '8080'));
}

/**
 * Folders whose files the UI may show (the tutorial's report, model and data): `UPDRAFT_OUTPUT_FOLDERS` as
 * `name=path,name=path`, else the `data`, `models` and `report` folders beside the DAG files.
 */
export function outputFolders(env: NodeJS.ProcessEnv, dagsFolder: string | null): Record<string, string> {
  const raw = env.UPDRAFT_OUTPUT_FOLDERS;
  if (raw) {
    const out: Record<string, string> = {};
    for (const part of raw.split(',').filter(Boolean)) {
      const [name, path] = part.split('=');
      if (!name || !path) throw new CliError(`UPDRAFT_OUTPUT_FOLDERS must be name=path,name=path; got ${JSON.stringify(part)}`, 2);
      out[name] = resolve(path);
    }
    return out;
  }
  if (!dagsFolder) return {};
  return Object.fromEntries(['data', 'models', 'report'].map((n) => [n, resolve(dagsFolder, n)]));
}

/**
 * Starts the API server (and the web UI when it is built) on the store. On the first start of a home it creates
 * the `admin` user with a random password and prints it once.
 */
export async function startWeb(store: MetadataStore, config: CliConfig, web: WebOptions, folders: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = Number(web.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, got ${JSON.stringify(web.port)}`, 2);
  const { bootstrapAdmin, createApiServer } = await import('@updraft/api');
  const admin = await bootstrapAdmin(config.home);
  if (admin.created) {
    process.stderr.write(
      `\n  Login with username "${admin.username}" and password "${admin.password}"\n  (shown once; also in ${admin.passwordFile}, mode 0600)\n\n`,
    );
  }
  let uiFolder: string | null;
  try {
    const { uiDistPath } = await import('@updraft/ui');
    uiFolder = existsSync(join(uiDistPath(), 'index.html')) ? uiDistPath() : null;
  } catch {
    uiFolder = null;
  }
  const server = await createApiServer({ store, home: config.home, host: web.host, port, logsFolder: config.logsFolder, outputFolders: folders, uiFolder });
  const url = await server.listen();
  if (!uiFolder) process.stderr.write('note: the web UI is not built (npm run build); the REST API is served alone\n');
  return { url, stop: () => server.close() };
}

/** `updraft api-server`, `updraft users ...`. */
export function registerWebCommands(program: Command, env: NodeJS.ProcessEnv): void {
  webOptions(program.command('api-server').description('serve the REST API (/api/v2) and the web UI'), env)
    .option('-S, --dags-folder <dir>', 'DAGs folder, for the outputs the UI shows (env UPDRAFT_DAGS_FOLDER)', env.UPDRAFT_DAGS_FOLDER || './dags')
    .action(async (opts: WebOptions & { dagsFolder: string }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true, component: 'api-server' });
      const web = await startWeb(store, config, opts, outputFolders(env, opts.dagsFolder));
      process.stderr.write(`api-server: listening on ${web.url}\n`);
      await untilSignal();
      await web.stop();
      await store.close();
    });

  const users = program.command('users').description('manage the users of the web UI and API');
  users
    .command('create')
    .description('create a user; prints a random password unless one is given')
    .requiredOption('-u, --username <name>')
    .addOption(new Option('-r, --role <role>', 'what the user may do').choices(['viewer', 'op', 'admin']).makeOptionMandatory())
    .option('-p, --password <password>', 'the password (at least 10 characters); default random')
    .action(async (opts: { username: string; role: 'viewer' | 'op' | 'admin'; password?: string }) => {
      const { openUsers } = await import('@updraft/api');
      const config = readConfig(env);
      try {
        const { user, password } = await openUsers({ home: config.home }).create(opts.username, opts.role, opts.password);
        process.stdout.write(`created ${user.role} ${user.username}${opts.password ? '' : ` with password ${password}`}\n`);
      } catch (e) {
        throw new CliError((e as Error).message, 1, { cause: e });
      }
    });
  users
    .command('list')
    .description('list the users')
    .addOption(outputOption())
    .action(async (opts: { output: OutputFormat }) => {
      const { openUsers } = await import('@updraft/api');
      const rows = openUsers({ home: readConfig(env).home })
        .list()
        .map((u) => ({ username: u.username, role: u.role, created_at: u.createdAt }));
      printRows(rows, ['username', 'role', 'created_at'], opts.output);
    });
  users
    .command('reset-password')
    .description("set a user's password (random unless given) and sign the user out everywhere")
    .requiredOption('-u, --username <name>')
    .option('-p, --password <password>', 'the new password; default random')
    .action(async (opts: { username: string; password?: string }) => {
      const { openUsers } = await import('@updraft/api');
      try {
        const { password } = await openUsers({ home: readConfig(env).home }).resetPassword(opts.username, opts.password);
        process.stdout.write(`password of ${opts.username} reset${opts.password ? '' : `: ${password}`}\n`);
      } catch (e) {
        throw new CliError((e as Error).message, 1, { cause: e });
      }
    });
  users
    .command('delete')
    .description('delete a user')
    .requiredOption('-u, --username <name>')
    .action(async (opts: { username: string }) => {
      const { openUsers } = await import('@updraft/api');
      if (!openUsers({ home: readConfig(env).home }).delete(opts.username)) throw new CliError(`no user ${opts.username}`);
      process.stdout.write(`deleted ${opts.username}\n`);
    });
}
