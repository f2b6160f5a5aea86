import { toDate, toDateOrNull } from '../codec.js';
import { time, type StoreContext } from '../context.js';
import { StoreInputError } from '../errors.js';
import { padToPowerOfTwo, QueryTemplate } from '../templates.js';
import type { TaskInstanceState } from '../states.js';
import type { TaskInstanceSummary, TaskInstanceSummaryQuery } from '../types.js';
import { nonEmptyString, validDate } from '../validate.js';

/** Ids per list in one query: far below both databases' bind-parameter limits. */
const CHUNK = 512;

/**
 * The read of `listTaskInstanceSummaries`, compiled once per shape: how many DAG ids and run ids it binds, and
 * whether it has a time. The lists are padded to a power of two (a repeated id changes no IN), so shapes stay few.
 */
const SUMMARIES = new QueryTemplate<unknown[], SummaryRow, { dags: number; runs: number; since: boolean }>((db, args, _dialect, { dags, runs, since }) => {
  let q = db
    .selectFrom('task_instance')
    .select(['dag_id', 'run_id', 'task_id', 'map_index', 'state', 'try_number', 'end_date', 'updated_at'])
    .where('dag_id', 'in', args.slice(0, dags) as string[])
    .where('run_id', 'in', args.slice(dags, dags + runs) as string[]);
  if (since) q = q.where('updated_at', '>=', args[dags + runs] as string);
  return q;
});

interface SummaryRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  end_date: Date | string | null;
  updated_at: Date | string;
}

function ids(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new StoreInputError(field, 'an array of non-empty strings', value);
  return [...new Set(value.map((v, i) => nonEmptyString(v, `${field}[${i}]`)))];
}

function chunks(list: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(padToPowerOfTwo(list.slice(i, i + CHUNK)));
  return out;
}

export async function listTaskInstanceSummaries(ctx: StoreContext, query: TaskInstanceSummaryQuery): Promise<TaskInstanceSummary[]> {
  const dagIds = ids(query?.dagIds, 'dagIds');
  const runIds = ids(query?.runIds, 'runIds');
  const since = query.updatedAtGte === undefined ? null : time(ctx, validDate(query.updatedAtGte, 'updatedAtGte'));
  const out: TaskInstanceSummary[] = [];
  for (const dags of dagIds.length ? chunks(dagIds) : []) {
    for (const runs of runIds.length ? chunks(runIds) : []) {
      const args: unknown[] = [...dags, ...runs];
      if (since !== null) args.push(since);
      const result = await SUMMARIES.execute(ctx.db, ctx.dialect, args, { dags: dags.length, runs: runs.length, since: since !== null });
      for (const r of result.rows) {
        out.push({
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id,
          mapIndex: r.map_index,
          state: r.state as TaskInstanceState | null,
          tryNumber: r.try_number,
          endDate: toDateOrNull(r.end_date),
          updatedAt: toDate(r.updated_at),
        });
      }
    }
  }
  return out;
}
