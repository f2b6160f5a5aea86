import type { Selectable } from 'kysely';
import { toDate, toDateOrNull, toNumber } from '../codec.js';
import { time, type StoreContext } from '../context.js';
import { StoreInputError } from '../errors.js';
import type { JobTable } from '../schema.js';
import { JobState } from '../states.js';
import type { Job, JobStart } from '../types.js';
import { integer, nonEmptyString, validDate } from '../validate.js';

function toJob(row: Selectable<JobTable>): Job {
  return {
    id: toNumber(row.id),
    jobType: row.job_type,
    state: row.state as JobState,
    hostname: row.hostname,
    unixname: row.unixname,
    pid: row.pid,
    executorClass: row.executor_class,
    startDate: toDate(row.start_date),
    endDate: toDateOrNull(row.end_date),
    latestHeartbeat: toDate(row.latest_heartbeat),
  };
}

export async function startJob(ctx: StoreContext, input: JobStart): Promise<Job> {
  const at = time(ctx, input.at ? validDate(input.at, 'job.at') : ctx.now());
  const row = await ctx.db
    .insertInto('job')
    .values({
      job_type: nonEmptyString(input.jobType, 'job.jobType'),
      state: JobState.RUNNING,
      hostname: input.hostname ?? null,
      unixname: input.unixname ?? null,
      pid: input.pid == null ? null : integer(input.pid, 'job.pid', 0),
      executor_class: input.executorClass ?? null,
      start_date: at,
      latest_heartbeat: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

export async function heartbeatJob(ctx: StoreContext, jobId: number, at?: Date): Promise<boolean> {
  const result = await ctx.db
    .updateTable('job')
    .set({ latest_heartbeat: time(ctx, at ? validDate(at, 'at') : ctx.now()) })
    .where('id', '=', integer(jobId, 'jobId'))
    .where('state', '=', JobState.RUNNING)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function endJob(ctx: StoreContext, jobId: number, state: JobState, at?: Date): Promise<boolean> {
  if (state !== JobState.SUCCESS && state !== JobState.FAILED) throw new StoreInputError('state', 'success or failed', state);
  const result = await ctx.db
    .updateTable('job')
    .set({ state, end_date: time(ctx, at ? validDate(at, 'at') : ctx.now()) })
    .where('id', '=', integer(jobId, 'jobId'))
    .where('state', '=', JobState.RUNNING)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function latestJob(ctx: StoreContext, jobType: string, options: { onlyRunning?: boolean } = {}): Promise<Job | null> {
  let query = ctx.db.selectFrom('job').selectAll().where('job_type', '=', jobType);
  if (options.onlyRunning) query = query.where('state', '=', JobState.RUNNING);
  const row = await query.orderBy('latest_heartbeat', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toJob(row) : null;
}
