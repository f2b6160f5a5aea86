import Database from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../src/migrations/index.js';

describe('migration 0003 (claim order)', () => {
  let db: Kysely<Record<string, Record<string, unknown>>> | null = null;
  afterEach(async () => {
    await db?.destroy();
    db = null;
  });

  it("gives task instances made before it their run's run_after", async () => {
    db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
    expect((await migrator.migrateTo('0002_hot_query_indexes')).error).toBeUndefined();
    const raw = async <R>(q: string): Promise<R[]> => (await sql.raw<R>(q).execute(db!)).rows;
    await raw(`insert into dag (dag_id, fileloc, is_paused, is_stale, has_import_errors) values ('d', '/d.ts', 0, 0, 0)`);
    for (const [run, after] of [
      ['r1', '2025-01-01T00:00:00.000Z'],
      ['r2', '2025-01-02T00:00:00.000Z'],
    ]) {
      await raw(
        `insert into dag_run (dag_id, run_id, run_after, run_type, state, conf, updated_at) values ('d', '${run}', '${after}', 'manual', 'running', '{}', '${after}')`,
      );
      await raw(
        `insert into task_instance (id, dag_id, run_id, task_id, map_index, try_number, max_tries, pool, pool_slots, queue, priority_weight, updated_at) values ('${run}', 'd', '${run}', 't', -1, 0, 1, 'default_pool', 1, 'default', 1, '${after}')`,
      );
    }
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await raw(`select run_id, run_after from task_instance order by run_id`)).toEqual([
      { run_id: 'r1', run_after: '2025-01-01T00:00:00.000Z' },
      { run_id: 'r2', run_after: '2025-01-02T00:00:00.000Z' },
    ]);
  });
});
