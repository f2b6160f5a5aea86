import { formatDuration } from '@updraft/core';
import { readConfig } from '../config.js';
import { CliError } from '../errors.js';
import { taskInstanceRow } from '../rows.js';
import { withStore } from '../services.js';
import { cliUser, serializedDag } from './dags.js';
import { runDagTest } from '@updraft/engine';
import type { Command } from 'commander';
import { type OutputFormat, printRows } from '../output.js';
import { dagsFolderOption, outputOption } from '../program.js';
import { createRunReporter } from '../run-reporter.js';
import { findDag, parseConf, parseDate } from './shared.js';

/** `updraft tasks ...`. */
export function registerTasksCommands(program: Command, env: NodeJS.ProcessEnv): void {
  const tasks = program.command('tasks').description('inspect and run tasks');

  tasks
    .command('test')
    .description('run one task alone, ignoring dependencies and keeping no state (XCom pulls find nothing)')
    .argument('<dag_id>')
    .argument('<task_id>')
    .addOption(dagsFolderOption(env))
    .option('-c, --conf <json>', 'JSON conf of the run')
    .option('--logical-date <date>', 'logical date (ISO 8601), default now')
    .action(async (dagId: string, taskId: string, opts: { dagsFolder: string; conf?: string; logicalDate?: string }) => {
      const conf = parseConf(opts.conf);
      const logicalDate = parseDate(opts.logicalDate, '--logical-date');
      const { dag } = await findDag(opts.dagsFolder, dagId);
      dag.getTask(taskId);
      const reporter = createRunReporter(dag, { quiet: false });
      const result = await runDagTest(dag, { conf, logicalDate, taskIds: [taskId], skipRetryDelay: true, onEvent: reporter.onEvent });
      reporter.finish(result);
      process.exitCode = result.state === 'success' ? 0 : 1;
    });

  tasks
    .command('list')
    .description("list a DAG's tasks in run order")
    .argument('<dag_id>')
    .addOption(dagsFolderOption(env))
    .addOption(outputOption())
    .action(async (dagId: string, opts: { dagsFolder: string; output: OutputFormat }) => {
      const { dag } = await findDag(opts.dagsFolder, dagId);
      const rows = dag.topologicalOrder().map((id) => {
        const t = dag.getTask(id);
        return { task_id: id, downstream_task_ids: [...t.downstreamTaskIds], trigger_rule: t.args.triggerRule, retries: t.args.retries, retry_delay: formatDuration(t.args.retryDelayMs), owner: t.args.owner };
      });
      printRows(rows, ['task_id', 'downstream_task_ids', 'trigger_rule', 'retries', 'retry_delay', 'owner'], opts.output);
    });

  tasks
    .command('states-for-dag-run')
    .description('the state of every task instance of a run')
    .argument('<dag_id>')
    .argument('<run_id>')
    .addOption(outputOption())
    .action(async (dagId: string, runId: string, opts: { output: OutputFormat }) => {
      await withStore(readConfig(env), async (store) => {
        if (!(await store.getDagRun(dagId, runId))) throw new CliError(`DAG run '${runId}' of '${dagId}' not found`);
        const page = await store.listTaskInstances({ dagIds: [dagId], runIds: [runId] });
        printRows(page.items.map(taskInstanceRow), ['dag_id', 'dag_run_id', 'task_id', 'state', 'try_number', 'start_date', 'end_date'], opts.output);
      });
    });

  tasks
    .command('clear')
    .description('clear task instances so the scheduler runs them again (Airflow\'s clear)')
    .argument('<dag_id>')
    .option('-t, --task-regex <regex>', 'only tasks whose id matches')
    .option('-r, --run-id <id>', 'only this run (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-d, --downstream', 'also clear what runs after them')
    .option('-u, --upstream', 'also clear what runs before them')
    .option('-f, --only-failed', 'only failed and upstream_failed task instances')
    .option('--dry-run', 'list what would be cleared, change nothing')
    .addOption(outputOption())
    .action(async (dagId: string, opts: { taskRegex?: string; runId: string[]; downstream?: boolean; upstream?: boolean; onlyFailed?: boolean; dryRun?: boolean; output: OutputFormat }) => {
      let regex: RegExp | null = null;
      try {
        regex = opts.taskRegex ? new RegExp(opts.taskRegex) : null;
      } catch (e) {
        throw new CliError(`--task-regex is not a valid regular expression: ${(e as Error).message}`, 2);
      }
      await withStore(readConfig(env), async (store) => {
        const { clearTaskInstances } = await import('@updraft/scheduler');
        const dag = await serializedDag(store, dagId);
        const taskIds = dag.tasks.map((t) => t.taskId).filter((id) => !regex || regex.test(id));
        if (taskIds.length === 0) throw new CliError(`no task of '${dagId}' matches ${String(regex)}`);
        const cleared = await clearTaskInstances(store, dag, {
          taskIds,
          ...(opts.runId.length > 0 ? { runIds: opts.runId } : {}),
          includeDownstream: opts.downstream === true,
          includeUpstream: opts.upstream === true,
          onlyFailed: opts.onlyFailed === true,
          dryRun: opts.dryRun === true,
        });
        if (!opts.dryRun) await store.addEvent({ event: 'clear', owner: cliUser(), dagId, extra: JSON.stringify({ task_ids: taskIds, run_ids: opts.runId, cleared: cleared.length }) });
        printRows(cleared.map(taskInstanceRow), ['dag_id', 'dag_run_id', 'task_id', 'state', 'try_number'], opts.output);
        if (opts.output !== 'json') process.stderr.write(`${opts.dryRun ? 'would clear' : 'cleared'} ${cleared.length} task instance(s)\n`);
      });
    });
}
