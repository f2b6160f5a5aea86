import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for queries that scanned a whole table (found with EXPLAIN QUERY PLAN on SQLite): a task instance's
 * tries are read by its key (the API's tries panel, the scheduler's history), and the history table has a row per
 * try of every task ever run.
 */
export function hotQueryIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('idx_task_instance_history_key')
        .on('task_instance_history')
        .columns(['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'])
        .execute();
    },
  };
}
