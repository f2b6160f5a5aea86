import { userInfo } from 'node:os';
import { relative } from 'node:path';
import { ParamValidationError, type SerializedDag } from '@updraft/core';
import { loadDagsFolder, runDagTest } from '@updraft/engine';
import type { MetadataStore } from '@updraft/store';
import type { Command } from 'commander';
import { hasDatabase, readConfig } from '../config.js';
import { CliError } from '../errors.js';
import { type OutputFormat, printRows } from '../output.js';
import { dagsFolderOption, outputOption } from '../program.js';
import { dagRow, dagRunRow, importErrorRow } from '../rows.js';
import { createRunReporter } from '../run-reporter.js';
import { withStore } from '../services.js';
import { findDag, parseConf, parseDate, printImportErrors } from './shared.js';

/** The audit log's owner for CLI actions: the OS user, as Airflow records it. */
export const cliUser = (): string => `cli:${userInfo().username}`;

/** Reads a DAG's serialized form from the store. @throws CliError when the DAG is unknown. */
export async function serializedDag(store: MetadataStore, dagId: string): Promise<SerializedDag> {
  const { SerializedDagCache } = await import('@updraft/scheduler');
  const dag = await new SerializedDagCache(store).get(dagId);
  if (!dag) throw new CliError(`DAG '${dagId}' is not in the database: is the DAG processor (or standalone) running on its folder? See \`updraft dags list-import-errors\``);
  return dag;
}

/** `updraft dags ...`. */
export function registerDagsCommands(program: Command, env: NodeJS.ProcessEnv): void {
  const dags = program.command('dags').description('manage and run DAGs');

  dags
    .command('test')
    .description('run one DAG run in this process: no database, no server')
    .argument('<dag_id>')
    .addOption(dagsFolderOption(env))
    .option('-c, --conf <json>', 'JSON conf of the run, checked against the DAG params')
    .option('--logical-date <date>', 'logical date of the run (ISO 8601), default now')
    .option('--no-retry-delay', 'retry failed tries at once instead of waiting retryDelay')
    .option('-q, --quiet', 'print no task logs, only states and the result')
    .action(async (dagId: string, opts: { dagsFolder: string; conf?: string; logicalDate?: string; retryDelay: boolean; quiet?: boolean }) => {
      const conf = parseConf(opts.conf);
      const logicalDate = parseDate(opts.logicalDate, '--logical-date');
      const { dag } = await findDag(opts.dagsFolder, dagId);
      const reporter = createRunReporter(dag, { quiet: opts.quiet === true });
      try {
        const result = await runDagTest(dag, { conf, logicalDate, skipRetryDelay: !opts.retryDelay, onEvent: reporter.onEvent });
        reporter.finish(result);
        process.exitCode = result.state === 'success' ? 0 : 1;
      } catch (e) {
        if (e instanceof ParamValidationError) throw new CliError(e.message, 2, { cause: e });
        throw e;
      }
    });

  dags
    .command('list')
    .description('list the DAGs (from the database when there is one, else by parsing the DAGs folder) and import errors')
    .addOption(dagsFolderOption(env))
    .addOption(outputOption())
    .option('--local', 'parse the DAGs folder even when a database exists')
    .action(async (opts: { dagsFolder: string; output: OutputFormat; local?: boolean }) => {
      const config = readConfig(env);
      if (!opts.local && hasDatabase(config)) {
        await withStore(config, async (store) => {
          const rows = (await store.listDags()).items.map(dagRow);
          printRows(opts.output === 'table' ? rows.map((r) => ({ ...r, fileloc: relative(process.cwd(), r.fileloc as string) })) : rows, ['dag_id', 'fileloc', 'owners', 'is_paused', 'timetable_summary', 'next_dagrun_logical_date', 'tags'], opts.output);
          const errors = (await store.listImportErrors()).items;
          if (errors.length > 0) process.stderr.write(`\n${errors.length} import error(s): see \`updraft dags list-import-errors\`\n`);
        });
        return;
      }
      const bag = await loadDagsFolder(opts.dagsFolder);
      const rows = [...bag.dags.values()]
        .sort((a, b) => (a.dag.dagId < b.dag.dagId ? -1 : 1))
        .map(({ dag, file }) => ({
          dag_id: dag.dagId,
          fileloc: file,
          owners: [...new Set(dag.tasks.map((t) => t.args.owner))].sort(),
          is_paused: null,
          timetable_summary: dag.schedule.kind === 'none' ? null : dag.schedule.kind === 'once' ? '@once' : dag.schedule.summary,
          tags: [...dag.tags],
          description: dag.description,
        }));
      printRows(opts.output === 'table' ? rows.map((r) => ({ ...r, fileloc: relative(process.cwd(), r.fileloc) })) : rows, ['dag_id', 'fileloc', 'owners', 'timetable_summary', 'tags'], opts.output);
      if (bag.importErrors.length > 0) {
        process.stderr.write(`\n${bag.importErrors.length} file(s) failed to import:\n`);
        printImportErrors(bag);
      }
    });

  dags
    .command('list-import-errors')
    .description('list the DAG files that failed to import, with file, line and message')
    .addOption(dagsFolderOption(env))
    .addOption(outputOption())
    .option('--local', 'parse the DAGs folder even when a database exists')
    .action(async (opts: { dagsFolder: string; output: OutputFormat; local?: boolean }) => {
      const config = readConfig(env);
      let rows: Record<string, unknown>[];
      if (!opts.local && hasDatabase(config)) {
        rows = await withStore(config, async (store) => (await store.listImportErrors()).items.map(importErrorRow));
        printRows(opts.output === 'table' ? rows.map((r) => ({ ...r, error: String(r.stack_trace).split('\n')[0] })) : rows, ['filename', 'line', 'error'], opts.output);
      } else {
        const bag = await loadDagsFolder(opts.dagsFolder);
        rows = bag.importErrors.map((e) => ({ filename: e.file, line: e.line, error: e.message }));
        printRows(rows, ['filename', 'line', 'error'], opts.output);
      }
      if (rows.length > 0) process.exitCode = 1;
    });

  for (const [verb, paused] of [['pause', true], ['unpause', false]] as const) {
    dags
      .command(verb)
      .description(`${verb} a DAG: ${paused ? 'no new runs are scheduled or started' : 'its schedule runs again'}`)
      .argument('<dag_id>')
      .action(async (dagId: string) => {
        await withStore(readConfig(env), async (store) => {
          if (!(await store.setDagPaused(dagId, paused))) throw new CliError(`DAG '${dagId}' is not in the database`);
          await store.addEvent({ event: verb, owner: cliUser(), dagId, extra: JSON.stringify({ is_paused: paused }) });
          process.stdout.write(`Dag: ${dagId}, paused: ${paused}\n`);
        });
      });
  }

  dags
    .command('trigger')
    .description('create a manual run, queued for the scheduler')
    .argument('<dag_id>')
    .option('-c, --conf <json>', 'JSON conf of the run, checked against the DAG params')
    .option('-l, --logical-date <date>', 'logical date (ISO 8601); default now')
    .option('-r, --run-id <id>', 'id of the run; default manual__<logical date>')
    .addOption(outputOption())
    .action(async (dagId: string, opts: { conf?: string; logicalDate?: string; runId?: string; output: OutputFormat }) => {
      const conf = parseConf(opts.conf);
      const logicalDate = parseDate(opts.logicalDate, '--logical-date');
      await withStore(readConfig(env), async (store) => {
        const { triggerDagRun } = await import('@updraft/scheduler');
        const dag = await serializedDag(store, dagId);
        try {
          const run = await triggerDagRun(store, dag, { conf, logicalDate, runId: opts.runId, triggeredBy: 'cli' });
          await store.addEvent({ event: 'trigger', owner: cliUser(), dagId, runId: run.runId, logicalDate: run.logicalDate, extra: JSON.stringify({ conf }) });
          const paused = (await store.getDag(dagId))?.isPaused;
          printRows([dagRunRow(run)], ['dag_id', 'dag_run_id', 'state', 'logical_date', 'run_type'], opts.output);
          if (paused) process.stderr.write(`note: DAG '${dagId}' is paused: the run stays queued until \`updraft dags unpause ${dagId}\`\n`);
        } catch (e) {
          if (e instanceof ParamValidationError) throw new CliError(e.message, 2, { cause: e });
          if ((e as Error).name === 'DagRunExistsError') throw new CliError((e as Error).message, 1, { cause: e });
          throw e;
        }
      });
    });

  dags
    .command('list-runs')
    .description("list a DAG's runs, newest first")
    .argument('<dag_id>')
    .option('--state <state>', 'only runs in this state (queued, running, success, failed)')
    .option('--limit <n>', 'at most this many', '100')
    .addOption(outputOption())
    .action(async (dagId: string, opts: { state?: string; limit: string; output: OutputFormat }) => {
      await withStore(readConfig(env), async (store) => {
        const states = opts.state ? [opts.state as 'queued'] : undefined;
        const page = await store.listDagRuns({ dagIds: [dagId], ...(states ? { states } : {}), orderBy: 'runAfter', direction: 'desc', limit: Number(opts.limit) });
        printRows(page.items.map(dagRunRow), ['dag_id', 'dag_run_id', 'state', 'run_type', 'logical_date', 'start_date', 'end_date'], opts.output);
      });
    });

  dags
    .command('state')
    .description('print the state of a run')
    .argument('<dag_id>')
    .argument('<run_id>')
    .action(async (dagId: string, runId: string) => {
      await withStore(readConfig(env), async (store) => {
        const run = await store.getDagRun(dagId, runId);
        if (!run) throw new CliError(`DAG run '${runId}' of '${dagId}' not found`);
        process.stdout.write(`${run.state}\n`);
      });
    });
}
