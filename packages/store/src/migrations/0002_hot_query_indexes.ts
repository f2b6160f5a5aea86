import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for hot queries (checked with EXPLAIN QUERY PLAN on SQLite): a task instance's tries are read by its key
 * (the API's tries panel), which scanned the whole history table, a row per try of every task ever run; and the
 * scheduler reads what changed in a run since it last looked (`updatedAtGte`), which read every task instance of
 * the run to filter on `updated_at`.
 */
export function hotQueryIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('idx_task_instance_history_key')
        .on('task_instance_history')
        .columns(['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'])
        .execute();
      await db.schema.createIndex('idx_task_instance_run_updated').on('task_instance').columns(['dag_id', 'run_id', 'updated_at']).execute();
    },
  };
}
