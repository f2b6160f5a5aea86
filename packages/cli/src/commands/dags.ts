import { relative } from 'node:path';
import { ParamValidationError } from '@updraft/core';
import { loadDagsFolder, runDagTest } from '@updraft/engine';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { type OutputFormat, printRows } from '../output.js';
import { dagsFolderOption, outputOption } from '../program.js';
import { createRunReporter } from '../run-reporter.js';
import { findDag, parseConf, parseDate, printImportErrors } from './shared.js';

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
    .description('list the DAGs of the DAGs folder, and the files that failed to import')
    .addOption(dagsFolderOption(env))
    .addOption(outputOption())
    .action(async (opts: { dagsFolder: string; output: OutputFormat }) => {
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
      printRows(
        opts.output === 'table' ? rows.map((r) => ({ ...r, fileloc: relative(process.cwd(), r.fileloc) })) : rows,
        ['dag_id', 'fileloc', 'owners', 'timetable_summary', 'tags'],
        opts.output,
      );
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
    .action(async (opts: { dagsFolder: string; output: OutputFormat }) => {
      const bag = await loadDagsFolder(opts.dagsFolder);
      const rows = bag.importErrors.map((e) => ({ filename: e.file, line: e.line, error: e.message }));
      printRows(rows, ['filename', 'line', 'error'], opts.output);
      if (rows.length > 0) process.exitCode = 1;
    });
}
