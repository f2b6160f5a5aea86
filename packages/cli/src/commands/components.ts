import type { Command } from 'commander';
import type { MetadataStore } from '@updraft/store';
import { type CliConfig, readConfig } from '../config.js';
import { CliError } from '../errors.js';
import { dagsFolderOption } from '../program.js';
import { openConfiguredStore, untilSignal } from '../services.js';
import { outputFolders, startWeb, type WebOptions, webOptions } from './web.js';

/** A running component; `stop` ends it gracefully. */
interface Running {
  stop(): Promise<void>;
}

async function startProcessor(store: MetadataStore, config: CliConfig, dagsFolder: string): Promise<Running> {
  const { DagProcessor } = await import('@updraft/scheduler');
  const processor = new DagProcessor({
    store,
    dagsFolder,
    dagsArePausedAtCreation: config.dagsArePausedAtCreation,
    ...(config.parseTimeoutMs ? { parseTimeoutMs: config.parseTimeoutMs } : {}),
  });
  const first = await processor.start();
  log(`dag-processor: ${first.dags} DAG(s) from ${processor.options.dagsFolder}, ${first.importErrors} import error(s); watching for changes`);
  return processor;
}

async function startScheduler(store: MetadataStore, config: CliConfig): Promise<Running & { name: string }> {
  const { LocalExecutor } = await import('@updraft/engine');
  const { Scheduler, StoreXComBackend } = await import('@updraft/scheduler');
  const executor = new LocalExecutor({
    xcoms: new StoreXComBackend(store, config.xcomSizeLimitBytes ? { sizeLimitBytes: config.xcomSizeLimitBytes } : {}),
    logsFolder: config.logsFolder,
    ...(config.parallelism ? { parallelism: config.parallelism } : {}),
    ...(config.xcomSizeLimitBytes ? { xcomSizeLimitBytes: config.xcomSizeLimitBytes } : {}),
  });
  const scheduler = new Scheduler({
    store,
    executor,
    executorName: 'LocalExecutor',
    ...(config.heartbeatTimeoutMs ? { heartbeatTimeoutMs: config.heartbeatTimeoutMs } : {}),
  });
  try {
    await scheduler.start();
  } catch (e) {
    await executor.terminate();
    if ((e as Error).name === 'SchedulerAlreadyRunningError') throw new CliError((e as Error).message, 1, { cause: e });
    throw e;
  }
  log(`scheduler: running with the LocalExecutor (parallelism ${executor.parallelism}), logs in ${config.logsFolder}`);
  return { name: 'scheduler', stop: () => scheduler.stop() };
}

/** Runs components until SIGINT or SIGTERM, then stops them in reverse order and closes the store. */
async function serve(store: MetadataStore, components: Running[]): Promise<void> {
  const signal = await untilSignal();
  log(`received ${signal}: stopping (running tries finish first; a second signal kills them)`);
  const force = untilSignal().then(() => process.exit(130));
  void force;
  for (const c of [...components].reverse()) await c.stop();
  await store.close();
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** `updraft db migrate`, `updraft dag-processor`, `updraft scheduler`, `updraft standalone`. */
export function registerComponentCommands(program: Command, env: NodeJS.ProcessEnv): void {
  const db = program.command('db').description('manage the metadata database');
  db.command('migrate')
    .description('create or upgrade the metadata database (idempotent; safe to run twice at once on PostgreSQL)')
    .action(async () => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config);
      try {
        const { applied } = await store.migrate();
        process.stdout.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await store.close();
      }
    });

  program
    .command('dag-processor')
    .description('parse the DAG files into the metadata database, and keep watching them')
    .addOption(dagsFolderOption(env))
    .option('--once', 'parse the folder once and exit')
    .action(async (opts: { dagsFolder: string; once?: boolean }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true });
      const processor = await startProcessor(store, config, opts.dagsFolder);
      if (opts.once) {
        await processor.stop();
        await store.close();
        return;
      }
      await serve(store, [processor]);
    });

  program
    .command('scheduler')
    .description('run the scheduler with the local executor')
    .action(async () => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true });
      await serve(store, [await startScheduler(store, config)]);
    });

  webOptions(
    program
      .command('standalone')
      .description('everything on one machine: migrate the database, then the DAG processor, the scheduler with the local executor, and the API and web UI')
      .addOption(dagsFolderOption(env)),
    env,
  )
    .option('--no-web', 'run without the API server and web UI')
    .action(async (opts: WebOptions & { dagsFolder: string; web: boolean }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true });
      const processor = await startProcessor(store, config, opts.dagsFolder);
      const scheduler = await startScheduler(store, config);
      const components: Running[] = [processor, scheduler];
      if (opts.web) {
        const web = await startWeb(store, config, opts, outputFolders(env, opts.dagsFolder));
        components.push(web);
        log(`api-server: listening on ${web.url}`);
      }
      log(`standalone: ready (home ${config.home}). Unpause and trigger a DAG in the UI, or: npx updraft dags unpause <dag_id> && npx updraft dags trigger <dag_id>`);
      await serve(store, components);
    });
}
