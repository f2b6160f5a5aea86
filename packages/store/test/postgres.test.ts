import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createPostgresStore,
  openStore,
  resolvePostgresStoreOptions,
  StoreInputError,
  type CommonStoreOptions,
  type MetadataStore,
} from '../src/index.js';
import { runStoreSuite, type StoreHandle } from './conformance.js';
import { seedRun, tasks } from './suite/harness.js';

const url = process.env.UPDRAFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';
/** Every schema of this file starts with it, so afterAll can drop what a crashed test left behind. */
const prefix = `updraft_test_${randomBytes(4).toString('hex')}`;
let schemas = 0;

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function unreachableReason(): Promise<string | undefined> {
  try {
    await withClient((c) => c.query('select 1'));
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(error as Error).message})`;
  }
}

const skipReason = await unreachableReason();
if (skipReason && !required) console.warn(`Skipping PostgreSQL store tests: ${skipReason}. Set UPDRAFT_REQUIRE_SERVICES=1 to fail instead.`);

async function dropSchema(schema: string): Promise<void> {
  await withClient((c) => c.query(`drop schema if exists "${schema}" cascade`));
}

async function newPostgresStore(options: CommonStoreOptions = {}): Promise<StoreHandle> {
  schemas += 1;
  const schema = `${prefix}_${schemas}`;
  const open = () => createPostgresStore({ ...options, connectionString: url, schema, poolSize: 4 });
  const stores: MetadataStore[] = [open()];
  return Promise.resolve({
    store: stores[0]!,
    peer: () => {
      const peer = open();
      stores.push(peer);
      return peer;
    },
    dispose: async () => {
      for (const store of stores) await store.close().catch(() => undefined);
      await dropSchema(schema);
    },
  });
}

afterAll(async () => {
  if (skipReason) return;
  const left = await withClient((c) => c.query<{ nspname: string }>('select nspname from pg_namespace where nspname like $1', [`${prefix}%`]));
  for (const { nspname } of left.rows) await dropSchema(nspname);
});

if (skipReason && required) {
  describe('PostgreSQL store', () => {
    it('needs a reachable PostgreSQL (UPDRAFT_REQUIRE_SERVICES=1)', () => {
      throw new Error(skipReason);
    });
  });
}

runStoreSuite({ name: 'postgres', newStore: newPostgresStore, parallelTransactions: true, ...(skipReason && { skipReason }) });

describe.skipIf(skipReason !== undefined)('PostgreSQL adapter', () => {
  let handle: StoreHandle | undefined;
  afterEach(async () => {
    await handle?.dispose();
    handle = undefined;
  });
  async function migrated(): Promise<MetadataStore> {
    handle = await newPostgresStore();
    await handle.store.migrate();
    return handle.store;
  }

  it('skips task instances another transaction has locked, without waiting for it', async () => {
    const store = await migrated();
    await seedRun(store, 'd', 'r');
    await store.createTaskInstances(tasks('d', 'r', 3, { state: 'scheduled' }));
    const locked = await store.getTaskInstance({ dagId: 'd', runId: 'r', taskId: 't001' });
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${prefix}_${schemas}` });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('select id from task_instance where id = $1 for update', [locked?.id]);
      // A lock on the run row must not hold claims up either: only task instance rows are locked.
      await client.query("select id from dag_run where run_id = 'r' for update");
      const claimed = await store.claimScheduledTaskInstances({ limit: 10 });
      expect(claimed.map((ti) => ti.taskId).sort()).toEqual(['t000', 't002']);
      await client.query('rollback');
      expect((await store.claimScheduledTaskInstances({ limit: 10 })).map((ti) => ti.taskId)).toEqual(['t001']);
    } finally {
      await client.end();
    }
  });

  it('keeps stores in different schemas apart', async () => {
    const store = await migrated();
    const other = await newPostgresStore();
    try {
      await other.store.migrate();
      await store.upsertDag({ dagId: 'only_here', fileloc: '/d.ts' });
      expect(await other.store.getDag('only_here')).toBeNull();
    } finally {
      await other.dispose();
    }
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    for (const scheme of ['postgres', 'postgresql']) {
      const store = openStore(url.replace(/^postgres(ql)?/, scheme), { schema: `${prefix}_open`, poolSize: 1 });
      try {
        expect(store.dialect).toBe('postgres');
        await store.migrate();
      } finally {
        await store.close();
      }
    }
    await dropSchema(`${prefix}_open`);
  });

  it('validates its options, naming the field and hiding passwords', () => {
    expect(() => resolvePostgresStoreOptions({ connectionString: 'mysql://u:hunter2@h/db' })).toThrow(
      expect.objectContaining({ field: 'connectionString' }),
    );
    expect(() => resolvePostgresStoreOptions({ connectionString: 'mysql://u:hunter2@h/db' })).not.toThrow(/hunter2/);
    expect(() => resolvePostgresStoreOptions({ connectionString: url, schema: 'Robert"; drop' })).toThrow(StoreInputError);
    expect(() => resolvePostgresStoreOptions({ connectionString: url, poolSize: 0 })).toThrow(expect.objectContaining({ field: 'poolSize' }));
    expect(resolvePostgresStoreOptions({ connectionString: url })).toMatchObject({ poolSize: 10, schema: undefined, applicationName: 'updraft' });
  });
});
