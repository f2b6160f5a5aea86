import type { Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../context.js';
import { initialMigration } from './0001_initial.js';
import { hotQueryIndexesMigration } from './0002_hot_query_indexes.js';
import { claimOrderMigration } from './0003_claim_order.js';

/**
 * The numbered migrations of one dialect. Names sort in application order; a new migration gets the next
 * number and is never edited once released.
 */
export function migrationProvider(dialect: DialectName): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_initial': initialMigration(dialect),
    '0002_hot_query_indexes': hotQueryIndexesMigration(),
    '0003_claim_order': claimOrderMigration(dialect),
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}
