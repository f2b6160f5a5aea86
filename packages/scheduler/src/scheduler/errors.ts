import type { Job } from '@updraft/store';

/** Another scheduler is alive on a database that allows only one (SQLite). */
export class SchedulerAlreadyRunningError extends Error {
  override name = 'SchedulerAlreadyRunningError';
  readonly job: Job;
  constructor(job: Job) {
    super(
      `another scheduler is running on this database (job ${job.id}, pid ${job.pid ?? '?'} on ${job.hostname ?? '?'}, last heartbeat ${job.latestHeartbeat.toISOString()}); ` +
        'SQLite allows one scheduler: stop it first, or use PostgreSQL (UPDRAFT_DATABASE_URL=postgres://...) for several',
    );
    this.job = job;
  }
}
