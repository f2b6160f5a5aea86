import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSqliteStore,
  openStore,
  resolveSqliteStoreOptions,
  resolveStoreUrl,
  StoreError,
  StoreInputError,
  type CommonStoreOptions,
  type MetadataStore,
} from '../src/index.js';
import { runStoreSuite, type StoreHandle } from './conformance.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'updraft-store-'));
}

async function newSqliteStore(options: CommonStoreOptions = {}): Promise<StoreHandle> {
  const dir = tempDir();
  const path = join(dir, 'updraft.db');
  const stores: MetadataStore[] = [createSqliteStore({ ...options, path })];
  return Promise.resolve({
    store: stores[0]!,
    peer: () => {
      const peer = createSqliteStore({ ...options, path });
      stores.push(peer);
      return peer;
    },
    dispose: async () => {
      for (const store of stores) await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

runStoreSuite({ name: 'sqlite', newStore: newSqliteStore, parallelTransactions: false });

describe('SQLite adapter', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  function dir(): string {
    const d = tempDir();
    cleanup.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  function track(store: MetadataStore): MetadataStore {
    cleanup.push(() => store.close());
    return store;
  }

  it('opens the file in WAL mode with foreign keys on, creating its directory', async () => {
    const path = join(dir(), 'nested', 'home', 'updraft.db');
    const store = track(createSqliteStore({ path }));
    await store.migrate();
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    await expect(store.createDagRun({ dagId: 'none', runId: 'r', runType: 'manual', runAfter: new Date(0) })).rejects.toMatchObject({
      name: 'NotFoundError',
      resource: 'dag',
    });
  });

  it('works in memory', async () => {
    const store = track(createSqliteStore({ path: ':memory:' }));
    expect((await store.migrate()).applied).toContain('0001_initial');
    await store.upsertDag({ dagId: 'd', fileloc: '/d.ts' });
    expect((await store.listDags()).total).toBe(1);
  });

  it('does not migrate beside another process holding the write lock: fails after the busy timeout, then migrates fully', async () => {
    const path = join(dir(), 'updraft.db');
    const store = track(createSqliteStore({ path, busyTimeoutMs: 20 }));
    const other = new Database(path);
    other.exec('begin immediate');
    const blocked = await store.migrate().catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(StoreError);
    other.exec('commit');
    const tables = other.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'dag'").get() as { n: number };
    expect(tables.n).toBe(0);
    other.close();
    expect((await store.migrate()).applied).toContain('0001_initial');
    expect(await store.migrate()).toEqual({ applied: [] });
  });

  it('validates its options, naming the field', () => {
    expect(() => resolveSqliteStoreOptions({ path: '' })).toThrow(StoreInputError);
    expect(() => resolveSqliteStoreOptions({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(expect.objectContaining({ field: 'busyTimeoutMs' }));
    expect(() => resolveSqliteStoreOptions({ path: 'x.db', xcomSizeLimitBytes: 1.5 })).toThrow(
      expect.objectContaining({ field: 'xcomSizeLimitBytes' }),
    );
    expect(resolveSqliteStoreOptions({ path: 'x.db' })).toMatchObject({ busyTimeoutMs: 5000, createDirectory: true, xcomSizeLimitBytes: 1048576 });
  });

  it('opens SQLite for sqlite: URLs, plain paths and :memory:, and refuses other schemes', async () => {
    const base = dir();
    for (const url of [`sqlite:${join(base, 'a.db')}`, `sqlite://${join(base, 'b.db')}`, join(base, 'c.db'), ':memory:', 'sqlite::memory:']) {
      const store = track(openStore(url));
      expect(store.dialect).toBe('sqlite');
      await store.migrate();
    }
    expect(['a.db', 'b.db', 'c.db'].every((f) => existsSync(join(base, f)))).toBe(true);
    expect(() => openStore('mysql://u:secret@host/db')).toThrow(expect.objectContaining({ name: 'StoreInputError', field: 'url' }));
    expect(() => openStore('mysql://u:secret@host/db')).not.toThrow(/secret/);
    expect(() => openStore('')).toThrow(StoreInputError);
  });

  it('resolves the store URL from the database URL or the Updraft home', () => {
    expect(resolveStoreUrl({ home: '/srv/updraft' })).toBe('sqlite:/srv/updraft/updraft.db');
    expect(resolveStoreUrl({ home: '/srv/updraft', databaseUrl: 'postgres://db/updraft' })).toBe('postgres://db/updraft');
    expect(resolveStoreUrl({ home: '/srv/updraft', databaseUrl: '' })).toBe('sqlite:/srv/updraft/updraft.db');
  });
});
