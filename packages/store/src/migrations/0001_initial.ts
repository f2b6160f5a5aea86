import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectName } from '../context.js';
import { columnTypes } from './column-types.js';

/** The first schema: Airflow's tables, trimmed to what Updraft uses. */
export function initialMigration(dialect: DialectName): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('dag')
        .addColumn('dag_id', t.text, (c) => c.primaryKey())
        .addColumn('fileloc', t.text, (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('owners', t.text)
        .addColumn('is_paused', t.bool, (c) => c.notNull())
        .addColumn('is_stale', t.bool, (c) => c.notNull())
        .addColumn('has_import_errors', t.bool, (c) => c.notNull())
        .addColumn('timetable_summary', t.text)
        .addColumn('max_active_runs', 'integer')
        .addColumn('max_active_tasks', 'integer')
        .addColumn('last_parsed_time', t.time)
        .addColumn('last_parse_duration', t.float)
        .addColumn('next_dagrun', t.time)
        .addColumn('next_dagrun_data_interval_start', t.time)
        .addColumn('next_dagrun_data_interval_end', t.time)
        .addColumn('next_dagrun_create_after', t.time)
        .execute();
      await db.schema.createIndex('idx_dag_fileloc').on('dag').column('fileloc').execute();

      await db.schema
        .createTable('dag_tag')
        .addColumn('dag_id', t.text, (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
        .addColumn('name', t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint('dag_tag_pkey', ['dag_id', 'name'])
        .execute();
      await db.schema.createIndex('idx_dag_tag_name').on('dag_tag').column('name').execute();

      await db.schema
        .createTable('serialized_dag')
        .addColumn('dag_id', t.text, (c) => c.primaryKey().references('dag.dag_id').onDelete('cascade'))
        .addColumn('data', t.json, (c) => c.notNull())
        .addColumn('dag_hash', t.text, (c) => c.notNull())
        .addColumn('last_updated', t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('import_error')
        .$call(t.id)
        .addColumn('filename', t.text, (c) => c.notNull())
        .addColumn('stack_trace', t.text, (c) => c.notNull())
        .addColumn('timestamp', t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_import_error_filename').on('import_error').column('filename').execute();

      await db.schema
        .createTable('dag_run')
        .$call(t.id)
        .addColumn('dag_id', t.text, (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
        .addColumn('run_id', t.text, (c) => c.notNull())
        .addColumn('logical_date', t.time)
        .addColumn('run_after', t.time, (c) => c.notNull())
        .addColumn('data_interval_start', t.time)
        .addColumn('data_interval_end', t.time)
        .addColumn('run_type', t.text, (c) => c.notNull())
        .addColumn('state', t.text, (c) => c.notNull())
        .addColumn('queued_at', t.time)
        .addColumn('start_date', t.time)
        .addColumn('end_date', t.time)
        .addColumn('last_scheduling_decision', t.time)
        .addColumn('conf', t.json, (c) => c.notNull())
        .addColumn('note', t.text)
        .addColumn('triggered_by', t.text)
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('dag_run_dag_id_run_id_key', ['dag_id', 'run_id'])
        // Both databases treat NULLs as distinct here, so runs without a logical date never clash.
        .addUniqueConstraint('dag_run_dag_id_logical_date_key', ['dag_id', 'logical_date'])
        .execute();
      await db.schema.createIndex('idx_dag_run_state').on('dag_run').columns(['state', 'dag_id']).execute();
      await db.schema.createIndex('idx_dag_run_run_after').on('dag_run').columns(['dag_id', 'run_after']).execute();

      await db.schema
        .createTable('task_instance')
        .addColumn('id', t.text, (c) => c.primaryKey())
        .$call((b) => addTryColumns(b, t))
        .addColumn('last_heartbeat_at', t.time)
        .addColumn('note', t.text)
        .addUniqueConstraint('task_instance_composite_key', ['dag_id', 'run_id', 'task_id', 'map_index'])
        .addForeignKeyConstraint('task_instance_dag_run_fkey', ['dag_id', 'run_id'], 'dag_run', ['dag_id', 'run_id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('idx_task_instance_state')
        .on('task_instance')
        .columns(['state', 'priority_weight'])
        .execute();

      await db.schema
        .createTable('task_instance_history')
        .$call(t.id)
        .addColumn('task_instance_id', t.text, (c) => c.notNull().references('task_instance.id').onDelete('cascade'))
        .$call((b) => addTryColumns(b, t))
        .addUniqueConstraint('task_instance_history_try_key', ['task_instance_id', 'try_number'])
        .execute();

      await db.schema
        .createTable('xcom')
        .addColumn('dag_id', t.text, (c) => c.notNull())
        .addColumn('run_id', t.text, (c) => c.notNull())
        .addColumn('task_id', t.text, (c) => c.notNull())
        .addColumn('map_index', 'integer', (c) => c.notNull())
        .addColumn('key', t.text, (c) => c.notNull())
        .addColumn('value', t.json, (c) => c.notNull())
        .addColumn('timestamp', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('xcom_pkey', ['dag_id', 'run_id', 'task_id', 'map_index', 'key'])
        .addForeignKeyConstraint('xcom_dag_run_fkey', ['dag_id', 'run_id'], 'dag_run', ['dag_id', 'run_id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();

      // No foreign keys: the audit log outlives the DAGs and runs it mentions.
      await db.schema
        .createTable('log')
        .$call(t.id)
        .addColumn('dttm', t.time, (c) => c.notNull())
        .addColumn('event', t.text, (c) => c.notNull())
        .addColumn('owner', t.text)
        .addColumn('dag_id', t.text)
        .addColumn('task_id', t.text)
        .addColumn('run_id', t.text)
        .addColumn('map_index', 'integer')
        .addColumn('try_number', 'integer')
        .addColumn('logical_date', t.time)
        .addColumn('extra', t.text)
        .execute();
      await db.schema.createIndex('idx_log_dttm').on('log').column('dttm').execute();
      await db.schema.createIndex('idx_log_dag_id').on('log').column('dag_id').execute();

      await db.schema
        .createTable('job')
        .$call(t.id)
        .addColumn('job_type', t.text, (c) => c.notNull())
        .addColumn('state', t.text, (c) => c.notNull())
        .addColumn('hostname', t.text)
        .addColumn('unixname', t.text)
        .addColumn('pid', 'integer')
        .addColumn('executor_class', t.text)
        .addColumn('start_date', t.time, (c) => c.notNull())
        .addColumn('end_date', t.time)
        .addColumn('latest_heartbeat', t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_job_type_heartbeat').on('job').columns(['job_type', 'latest_heartbeat']).execute();
    },
  };
}

function addTryColumns<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  t: ReturnType<typeof columnTypes>,
): CreateTableBuilder<T, C | string> {
  return table
    .addColumn('dag_id', t.text, (c) => c.notNull())
    .addColumn('run_id', t.text, (c) => c.notNull())
    .addColumn('task_id', t.text, (c) => c.notNull())
    .addColumn('map_index', 'integer', (c) => c.notNull())
    .addColumn('state', t.text)
    .addColumn('try_number', 'integer', (c) => c.notNull())
    .addColumn('max_tries', 'integer', (c) => c.notNull())
    .addColumn('start_date', t.time)
    .addColumn('end_date', t.time)
    .addColumn('duration', t.float)
    .addColumn('hostname', t.text)
    .addColumn('unixname', t.text)
    .addColumn('pid', 'integer')
    .addColumn('queued_dttm', t.time)
    .addColumn('scheduled_dttm', t.time)
    .addColumn('operator', t.text)
    .addColumn('pool', t.text, (c) => c.notNull())
    .addColumn('pool_slots', 'integer', (c) => c.notNull())
    .addColumn('queue', t.text, (c) => c.notNull())
    .addColumn('priority_weight', 'integer', (c) => c.notNull())
    .addColumn('external_executor_id', t.text)
    .addColumn('updated_at', t.time, (c) => c.notNull());
}
