import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StoreContext } from './context.js';
import { StoreError, StoreInputError } from './errors.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { resolveCommonOptions, type CommonStoreOptions } from './options.js';
import type { Database } from './schema.js';
import type { MetadataStore } from './store.js';
import type { MigrationResult } from './types.js';
import { integer, nonEmptyString } from './validate.js';

/** Options of `createPostgresStore`. */
export interface PostgresStoreOptions extends CommonStoreOptions {
  /** `postgres://user:password@host:port/database`. Required. */
  connectionString: string;
  /** Most connections the pool opens; default 10. */
  poolSize?: number;
  /**
   * Schema holding Updraft's tables, created by `migrate()` when missing; default: the server's search
   * path (normally `public`). Tests use a fresh schema each and drop it afterwards.
   */
  schema?: string;
  /** How long to wait for a connection, in milliseconds; default 10000. */
  connectionTimeoutMs?: number;
  /** Shown in `pg_stat_activity`; default `updraft`. */
  applicationName?: string;
}

/** `PostgresStoreOptions` with defaults filled in (`schema` stays optional). */
export type ResolvedPostgresStoreOptions = Required<Omit<PostgresStoreOptions, 'schema'>> & { schema: string | undefined };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates `PostgresStoreOptions` and fills in the defaults. */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  const connectionString = nonEmptyString(options.connectionString, 'connectionString');
  if (!/^postgres(ql)?:\/\//.test(connectionString)) {
    throw new StoreInputError('connectionString', 'a postgres:// or postgresql:// URL', connectionString.replace(/:[^:@/]*@/, ':***@'));
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new StoreInputError('schema', 'a lower-case identifier of letters, digits and _', options.schema);
  }
  return {
    ...resolveCommonOptions(options),
    connectionString,
    poolSize: options.poolSize === undefined ? 10 : integer(options.poolSize, 'poolSize', 1),
    schema: options.schema,
    connectionTimeoutMs: options.connectionTimeoutMs === undefined ? 10_000 : integer(options.connectionTimeoutMs, 'connectionTimeoutMs', 0),
    applicationName: options.applicationName ?? 'updraft',
  };
}

const JSON_OID = 114;
const JSONB_OID = 3802;
const INT8_OID = 20;

/**
 * JSON columns come back as text, as from SQLite, so one decoder serves both (pg would otherwise turn a
 * JSON string value into a bare JS string, indistinguishable from text); counts (int8) come back as numbers.
 */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === JSON_OID || oid === JSONB_OID) return (value: string) => value;
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

function clientConfig(o: ResolvedPostgresStoreOptions): pg.ClientConfig {
  return {
    connectionString: o.connectionString,
    connectionTimeoutMillis: o.connectionTimeoutMs,
    application_name: o.applicationName,
    ...(o.schema !== undefined && { options: `-c search_path=${o.schema}` }),
    types: typeParsers,
  };
}

/** Opens the shared store on PostgreSQL with a connection pool. Call `migrate()` before first use. */
export function createPostgresStore(options: PostgresStoreOptions): MetadataStore {
  const o = resolvePostgresStoreOptions(options);
  const pool = new pg.Pool({ ...clientConfig(o), max: o.poolSize });
  // An idle connection dropped by the server is discarded by the pool; without a listener Node would crash.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const ctx: StoreContext = {
    db,
    dialect: 'postgres',
    now: o.now,
    xcomSizeLimitBytes: o.xcomSizeLimitBytes,
    atomic: (fn) => db.transaction().execute(fn),
  };
  return createKyselyStore(ctx, { migrate: () => migrateLocked(db, o), close: () => db.destroy() });
}

/**
 * Migrates under a session advisory lock keyed by the schema, held on a connection of its own (the
 * migrator needs pool connections, and a pool of one must not deadlock). Concurrent callers wait, then
 * find nothing left to do. Creating the schema happens under the lock too: concurrent
 * CREATE SCHEMA IF NOT EXISTS can still fail on PostgreSQL.
 */
async function migrateLocked(db: Kysely<Database>, o: ResolvedPostgresStoreOptions): Promise<MigrationResult> {
  const client = new pg.Client(clientConfig(o));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const lockKey = `updraft.migrate:${o.schema ?? ''}`;
    await client.query('select pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      if (o.schema !== undefined) await client.query(`create schema if not exists "${o.schema}"`);
      const current = await client.query<{ schema: string | null }>('select current_schema() as schema');
      const schema = current.rows[0]?.schema;
      if (!schema) throw new StoreError('no schema to migrate: the search_path names no existing schema');
      return await migrateToLatest(db, 'postgres', schema);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await client.end();
  }
}
