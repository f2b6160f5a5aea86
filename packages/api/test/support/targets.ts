import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, type MetadataStore } from '@updraft/store';

/** A database the endpoint suite runs against. */
export interface StoreTarget {
  name: string;
  /** When set, the suite is skipped (or fails, when services are required) and this says why. */
  skipReason?: string;
  /** A fresh, migrated store; `dispose` closes and deletes it. */
  open(): Promise<{ store: MetadataStore; dispose(): Promise<void> }>;
}

/** SQLite in a temporary folder. */
export const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-api-db-'));
    const store = createSqliteStore({ path: join(dir, 'updraft.db') });
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** PostgreSQL at `UPDRAFT_TEST_DATABASE_URL`, one schema per store; skipped with a reason when unreachable. */
export async function postgresTarget(): Promise<StoreTarget> {
  const url = process.env.UPDRAFT_TEST_DATABASE_URL;
  const withClient = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  let skipReason: string | undefined;
  if (!url) skipReason = 'UPDRAFT_TEST_DATABASE_URL is not set';
  else {
    try {
      await withClient((c) => c.query('select 1'));
    } catch (error) {
      skipReason = `PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(error as Error).message})`;
    }
  }
  const prefix = `updraft_api_test_${randomBytes(4).toString('hex')}`;
  let n = 0;
  return {
    name: 'postgres',
    ...(skipReason !== undefined && { skipReason }),
    async open() {
      const schema = `${prefix}_${++n}`;
      const store = createPostgresStore({ connectionString: url as string, schema, poolSize: 4 });
      await store.migrate();
      return {
        store,
        dispose: async () => {
          await store.close();
          await withClient((c) => c.query(`drop schema if exists "${schema}" cascade`));
        },
      };
    },
  };
}
