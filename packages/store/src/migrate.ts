import { Migrator, type Kysely } from 'kysely';
import type { DialectName } from './context.js';
import { StoreError } from './errors.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import type { MigrationResult } from './types.js';

/**
 * Runs Kysely's migrator to the latest migration; the caller holds whatever lock its database needs.
 * On PostgreSQL pass the schema: without it the migrator looks for its bookkeeping tables in every
 * schema and would take another schema's for ours.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: DialectName, schema?: string): Promise<MigrationResult> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), ...(schema !== undefined && { migrationTableSchema: schema }) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new StoreError(`migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
