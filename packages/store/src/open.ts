import { join } from 'node:path';
import { StoreInputError } from './errors.js';
import type { CommonStoreOptions } from './options.js';
import { createPostgresStore, type PostgresStoreOptions } from './postgres.js';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { MetadataStore } from './store.js';

/** Options of `openStore`: those of either adapter, minus where the database is (the URL says it). */
export interface OpenStoreOptions
  extends CommonStoreOptions,
    Omit<SqliteStoreOptions, 'path' | keyof CommonStoreOptions>,
    Omit<PostgresStoreOptions, 'connectionString' | keyof CommonStoreOptions> {}

/**
 * Opens the store a URL names: `postgres://` or `postgresql://` for PostgreSQL; `sqlite:<path>`,
 * `sqlite://<path>`, `:memory:` or a plain file path for SQLite. Options of the other adapter are ignored.
 */
export function openStore(url: string, options: OpenStoreOptions = {}): MetadataStore {
  if (typeof url !== 'string' || url.length === 0) throw new StoreInputError('url', 'a database URL or file path', url);
  const { poolSize, schema, connectionTimeoutMs, applicationName, busyTimeoutMs, createDirectory, ...common } = options;
  if (/^postgres(ql)?:\/\//.test(url)) {
    return createPostgresStore({ ...common, connectionString: url, poolSize, schema, connectionTimeoutMs, applicationName });
  }
  let path = url;
  if (url.startsWith('sqlite:')) path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new StoreInputError('url', 'a postgres:// URL, a sqlite: URL or a file path', url.replace(/:[^:@/]*@/, ':***@'));
  }
  return createSqliteStore({ ...common, path, busyTimeoutMs, createDirectory });
}

/**
 * Which store Updraft uses: `databaseUrl` when set (the CLI passes `UPDRAFT_DATABASE_URL`), else the
 * embedded SQLite file `updraft.db` in `home` (`UPDRAFT_HOME`).
 */
export function resolveStoreUrl(options: { databaseUrl?: string | undefined; home: string }): string {
  if (options.databaseUrl) return options.databaseUrl;
  return `sqlite:${join(options.home, 'updraft.db')}`;
}
