import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAG, serializeDag, type JsonValue } from '@updraft/core';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerializedDagCache } from '../src/scheduler/serialized.js';

describe('SerializedDagCache', () => {
  let dir: string;
  let store: MetadataStore;
  /** Store reads the cache made, by method. */
  let reads: { hashes: number; dags: number };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'updraft-serialized-'));
    store = createSqliteStore({ path: join(dir, 'db.sqlite') });
    await store.migrate();
    await store.upsertDag({ dagId: 'd', fileloc: '/d.ts', isPausedUponCreation: false });
    reads = { hashes: 0, dags: 0 };
    const hashes = store.listSerializedDagHashes.bind(store);
    const dags = store.getSerializedDag.bind(store);
    store.listSerializedDagHashes = (ids) => (reads.hashes++, hashes(ids));
    store.getSerializedDag = (id) => (reads.dags++, dags(id));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = async (tasks: string[], hash: string) => {
    const dag = new DAG({ dagId: 'd' });
    for (const t of tasks) dag.task(t, () => undefined);
    await store.putSerializedDag({ dagId: 'd', data: serializeDag(dag) as unknown as JsonValue, dagHash: hash });
  };

  it('reads an uncached DAG once, then only its hash until the hash changes', async () => {
    await put(['a'], 'h1');
    const cache = new SerializedDagCache(store);
    expect((await cache.get('d'))?.tasks.map((t) => t.taskId)).toEqual(['a']);
    expect(reads).toEqual({ hashes: 0, dags: 1 });
    expect((await cache.get('d'))?.tasks.map((t) => t.taskId)).toEqual(['a']);
    expect(reads).toEqual({ hashes: 1, dags: 1 });
    await put(['a', 'b'], 'h2');
    expect((await cache.get('d'))?.tasks.map((t) => t.taskId)).toEqual(['a', 'b']);
    expect(reads).toEqual({ hashes: 2, dags: 2 });
    expect(cache.cached('d')?.tasks).toHaveLength(2);
  });

  it('answers null for a DAG never parsed, and forgets one whose serialized form is gone', async () => {
    const cache = new SerializedDagCache(store);
    expect(await cache.get('d')).toBeNull();
    expect(await cache.get('nope')).toBeNull();
    await put(['a'], 'h1');
    expect(await cache.get('d')).not.toBeNull();
    await store.deleteDag('d');
    expect(await cache.get('d')).toBeNull();
    expect(cache.cached('d')).toBeUndefined();
  });
});
