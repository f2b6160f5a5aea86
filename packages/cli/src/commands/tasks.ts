import { formatDuration } from '@updraft/core';
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
}
