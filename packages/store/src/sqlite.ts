import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { resolveCommonOptions, type CommonStoreOptions } from './options.js';
import type { Database as Tables } from './schema.js';
import { cachingDatabase } from './statement-cache.js';
import type { MetadataStore } from './store.js';
import { integer, nonEmptyString } from './validate.js';

/** Options of `createSqliteStore`. */
export interface SqliteStoreOptions extends CommonStoreOptions {
  /** Database file, or `:memory:` for a private in-memory database. Required. */
  path: string;
  /** How long a write waits for another process's write lock, in milliseconds; default 5000. */
  busyTimeoutMs?: number;
  /** Create the file's directory when missing; default true. */
  createDirectory?: boolean;
}

/** `SqliteStoreOptions` with defaults filled in. */
export type ResolvedSqliteStoreOptions = Required<SqliteStoreOptions>;

/** Validates `SqliteStoreOptions` and fills in the defaults. */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  return {
    ...resolveCommonOptions(options),
    path: nonEmptyString(options.path, 'path'),
    busyTimeoutMs: options.busyTimeoutMs === undefined ? 5000 : integer(options.busyTimeoutMs, 'busyTimeoutMs', 0),
    createDirectory: options.createDirectory ?? true,
  };
}

/**
 * Opens the embedded store: one better-sqlite3 connection in WAL mode (readers do not block the writer),
 * with a busy timeout and foreign keys on. Call `migrate()` before first use.
 */
export function createSqliteStore(options: SqliteStoreOptions): MetadataStore {
  const o = resolveSqliteStoreOptions(options);
  const memory = o.path === ':memory:';
  if (!memory && o.createDirectory) mkdirSync(dirname(o.path), { recursive: true });
  let handle: Database.Database;
  try {
    handle = new Database(o.path, { timeout: o.busyTimeoutMs });
    if (!memory) handle.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power loss may drop the last commits.
    handle.pragma('synchronous = NORMAL');
    handle.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new StoreError(`cannot open SQLite database ${o.path}: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachingDatabase(handle) }) });
  const ctx: StoreContext = {
    db,
    dialect: 'sqlite',
    now: o.now,
    xcomSizeLimitBytes: o.xcomSizeLimitBytes,
    atomic: (fn) => immediateTransaction(db, fn),
  };
  return createKyselyStore(ctx, {
    // BEGIN IMMEDIATE makes a whole migration one exclusive write, so two processes migrating one file
    // cannot interleave (Kysely's migrator takes no lock on SQLite).
    migrate: () => immediateTransaction(db, () => migrateToLatest(db, 'sqlite'), true),
    close: () => db.destroy(),
  });
}

/**
 * A transaction that takes the write lock at BEGIN, so a read-then-write inside it cannot fail with
 * SQLITE_BUSY_SNAPSHOT when another connection wrote in between (a deferred BEGIN would).
 * `shared` runs `fn` on the shared handle instead of a reserved connection, for Kysely's migrator, which
 * asks for its own connection and would otherwise wait for ours forever.
 */
async function immediateTransaction<T>(db: Kysely<Tables>, fn: (db: Kysely<Tables>) => Promise<T>, shared = false): Promise<T> {
  const run = async (conn: Kysely<Tables>) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(shared ? db : conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  };
  return shared ? run(db) : db.connection().execute(run);
}
