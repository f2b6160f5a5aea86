import type { Command } from 'commander';
import type { Executor } from '@updraft/engine';
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

/** The scheduler's executor as `UPDRAFT_EXECUTOR` names it, and how to describe it in the start line. */
async function createExecutor(store: MetadataStore, config: CliConfig): Promise<{ executor: Executor; name: string; description: string }> {
  if (config.executor === 'bullmq') {
    const { BullMqExecutor, maskRedisUrl } = await import('@updraft/distributed');
    const redisUrl = requireRedisUrl(config, 'UPDRAFT_EXECUTOR=bullmq');
    const executor = await asCliError(async () => {
      const e = new BullMqExecutor({
        redisUrl,
        store,
        ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
        ...(config.parallelism ? { parallelism: config.parallelism } : {}),
        onWarning: (m) => log(`warning: ${m}`),
      });
      await e.whenChecked();
      return e;
    });
    return { executor, name: 'BullMqExecutor', description: `the BullMQ executor on ${maskRedisUrl(redisUrl)} (parallelism ${executor.parallelism})` };
  }
  const { LocalExecutor } = await import('@updraft/engine');
  const { StoreXComBackend } = await import('@updraft/scheduler');
  const executor = new LocalExecutor({
    xcoms: new StoreXComBackend(store, config.xcomSizeLimitBytes ? { sizeLimitBytes: config.xcomSizeLimitBytes } : {}),
    logsFolder: config.logsFolder,
    ...(config.parallelism ? { parallelism: config.parallelism } : {}),
    ...(config.xcomSizeLimitBytes ? { xcomSizeLimitBytes: config.xcomSizeLimitBytes } : {}),
  });
  return { executor, name: 'LocalExecutor', description: `the LocalExecutor (parallelism ${executor.parallelism}), logs in ${config.logsFolder}` };
}

async function startScheduler(store: MetadataStore, config: CliConfig): Promise<Running & { name: string }> {
  const { Scheduler } = await import('@updraft/scheduler');
  const { executor, name, description } = await createExecutor(store, config);
  const scheduler = new Scheduler({
    store,
    executor,
    executorName: name,
    ...(config.heartbeatTimeoutMs ? { heartbeatTimeoutMs: config.heartbeatTimeoutMs } : {}),
  });
  try {
    await scheduler.start();
  } catch (e) {
    await executor.terminate();
    if ((e as Error).name === 'SchedulerAlreadyRunningError') throw new CliError((e as Error).message, 1, { cause: e });
    throw e;
  }
  log(`scheduler: running with ${description}`);
  return { name: 'scheduler', stop: () => scheduler.stop() };
}

async function startWorker(store: MetadataStore, config: CliConfig, opts: { queues: string; concurrency: string; hostname?: string }): Promise<Running> {
  const { Worker, maskRedisUrl } = await import('@updraft/distributed');
  const redisUrl = requireRedisUrl(config, 'updraft worker');
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError(`--concurrency must be a positive integer, got ${JSON.stringify(opts.concurrency)}`, 2);
  const queues = opts.queues.split(',').map((q) => q.trim()).filter(Boolean);
  const worker = await asCliError(async () => {
    const w = new Worker({
      store,
      redisUrl,
      logsFolder: config.logsFolder,
      queues,
      concurrency,
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
      ...(config.workerLockDurationMs ? { lockDurationMs: config.workerLockDurationMs } : {}),
      ...(config.workerStalledIntervalMs ? { stalledIntervalMs: config.workerStalledIntervalMs } : {}),
      ...(config.workerMaxStalledCount !== undefined ? { maxStalledCount: config.workerMaxStalledCount } : {}),
      ...(config.xcomSizeLimitBytes ? { xcomSizeLimitBytes: config.xcomSizeLimitBytes } : {}),
      onWarning: (m) => log(`warning: ${m}`),
    });
    await w.start();
    return w;
  });
  log(`worker: taking tries from queue(s) ${queues.join(', ')} on ${maskRedisUrl(redisUrl)} (concurrency ${concurrency}), logs in ${config.logsFolder}`);
  return { stop: () => worker.stop() };
}

function requireRedisUrl(config: CliConfig, what: string): string {
  if (!config.redisUrl) throw new CliError(`${what} needs UPDRAFT_REDIS_URL, e.g. redis://:password@redis:6379/0`, 2);
  return config.redisUrl;
}

/** Bad options (a malformed Redis URL, say) become a usage error with the library's message. */
async function asCliError<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'InvalidRedisUrlError' || name === 'InvalidDistributedOptionError') throw new CliError((e as Error).message, 2, { cause: e });
    throw e;
  }
}

/** `db migrate --create-admin-from-env`: the admin of a Docker Compose stack, created once. */
async function createAdminFromEnv(config: CliConfig): Promise<void> {
  const { username, password } = config.wwwUser;
  if (!username || !password) throw new CliError('--create-admin-from-env needs _UPDRAFT_WWW_USER_USERNAME and _UPDRAFT_WWW_USER_PASSWORD', 2);
  const { openUsers } = await import('@updraft/api');
  const users = openUsers({ home: config.home });
  if (users.list().some((u) => u.username === username)) {
    process.stdout.write(`user ${username} exists; left as it is\n`);
    return;
  }
  try {
    await users.create(username, 'admin', password);
  } catch (e) {
    throw new CliError((e as Error).message, 1, { cause: e });
  }
  process.stdout.write(`created admin ${username}\n`);
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
    .option('--create-admin-from-env', 'then create the admin user _UPDRAFT_WWW_USER_USERNAME with password _UPDRAFT_WWW_USER_PASSWORD unless it exists')
    .action(async (opts: { createAdminFromEnv?: boolean }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { component: 'db migrate' });
      try {
        const { applied } = await store.migrate();
        process.stdout.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await store.close();
      }
      if (opts.createAdminFromEnv) await createAdminFromEnv(config);
    });

  program
    .command('dag-processor')
    .description('parse the DAG files into the metadata database, and keep watching them')
    .addOption(dagsFolderOption(env))
    .option('--once', 'parse the folder once and exit')
    .action(async (opts: { dagsFolder: string; once?: boolean }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true, component: 'dag-processor' });
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
    .description('run the scheduler, with the executor UPDRAFT_EXECUTOR names (local, or bullmq for updraft workers)')
    .action(async () => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { migrate: true, component: 'scheduler' });
      await serve(store, [await startScheduler(store, config)]);
    });

  program
    .command('jobs')
    .description('inspect the jobs of the components (scheduler, DAG processor, workers)')
    .command('check')
    .description('exit 0 when a job of the type is running and heartbeated recently (container health checks), else 1')
    .requiredOption('--job-type <type>', 'SchedulerJob, DagProcessorJob or WorkerJob')
    .option('--threshold-seconds <n>', 'longest time since the last heartbeat of a live job', '30')
    .action(async (opts: { jobType: string; thresholdSeconds: string }) => {
      const threshold = Number(opts.thresholdSeconds);
      if (!Number.isFinite(threshold) || threshold <= 0) throw new CliError(`--threshold-seconds must be a positive number, got ${JSON.stringify(opts.thresholdSeconds)}`, 2);
      const store = await openConfiguredStore(readConfig(env));
      try {
        const job = await store.latestJob(opts.jobType, { onlyRunning: true });
        const age = job ? (Date.now() - job.latestHeartbeat.getTime()) / 1000 : Infinity;
        if (!job || age > threshold) throw new CliError(`no alive ${opts.jobType} found${job ? ` (last heartbeat ${age.toFixed(0)} s ago)` : ''}`, 1);
        process.stdout.write(`found an alive ${opts.jobType}: job ${job.id}, pid ${job.pid ?? '?'} on ${job.hostname ?? '?'}, heartbeat ${age.toFixed(1)} s ago\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('worker')
    .description('run task tries from the BullMQ queues in Redis (UPDRAFT_REDIS_URL), recording them in the metadata database')
    .option('-q, --queues <names>', 'comma-separated queues to take tries from (a task\'s queue argument)', 'default')
    .option('-c, --concurrency <n>', 'most tries running at once on this worker', '16')
    .option('-H, --hostname <name>', 'name recorded with the tries this worker runs (default: the machine\'s)')
    .action(async (opts: { queues: string; concurrency: string; hostname?: string }) => {
      const config = readConfig(env);
      const store = await openConfiguredStore(config, { component: 'worker' });
      await serve(store, [await startWorker(store, config, opts)]);
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
      const store = await openConfiguredStore(config, { migrate: true, component: 'standalone' });
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
