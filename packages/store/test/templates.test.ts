import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database as Tables } from '../src/schema.js';
import { padToPowerOfTwo, QueryTemplate } from '../src/templates.js';

interface Scratch {
  t: { a: string; b: number };
}

describe('QueryTemplate', () => {
  const handles: Kysely<Scratch>[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.destroy();
  });
  function scratch(): Kysely<Tables> {
    const raw = new Database(':memory:');
    raw.exec("create table t (a text, b integer); insert into t values ('x', 1), ('y', 2), ('z', 3)");
    const db = new Kysely<Scratch>({ dialect: new SqliteDialect({ database: raw }) });
    handles.push(db);
    // The template is typed for the store's tables; this scratch table stands in for one of them.
    return db as unknown as Kysely<Tables>;
  }
  const untyped = (db: Kysely<Tables>) => db as unknown as Kysely<Scratch>;

  it('compiles once per dialect and shape, binds each run its own arguments, and keeps the builder constants', async () => {
    const db = scratch();
    let builds = 0;
    const above = new QueryTemplate<[min: number], { a: string }, { order: 'asc' | 'desc' }>((tdb, [min], _dialect, { order }) => {
      builds++;
      return untyped(tdb).selectFrom('t').select('a').where('b', '>=', min).where('a', '!=', 'z').orderBy('a', order);
    });
    expect((await above.execute(db, 'sqlite', [1], { order: 'asc' })).rows.map((r) => r.a)).toEqual(['x', 'y']);
    expect((await above.execute(db, 'sqlite', [2], { order: 'asc' })).rows.map((r) => r.a)).toEqual(['y']);
    expect(builds).toBe(1);
    // Another shape is built again, from the shape the builder is given.
    expect((await above.execute(db, 'sqlite', [1], { order: 'desc' })).rows.map((r) => r.a)).toEqual(['y', 'x']);
    expect(builds).toBe(2);
  });

  it('reports rows changed by a write', async () => {
    const db = scratch();
    const bump = new QueryTemplate<[a: string, by: number], never>((tdb, [a, by]) => untyped(tdb).updateTable('t').set({ b: by }).where('a', '=', a));
    expect((await bump.execute(db, 'sqlite', ['x', 10])).numAffectedRows).toBe(1n);
    expect((await bump.execute(db, 'sqlite', ['nope', 10])).numAffectedRows).toBe(0n);
  });

  it('refuses a builder that does not bind an argument as one value', async () => {
    const db = scratch();
    const unused = new QueryTemplate<[a: string, b: number], never>((tdb, [a]) => untyped(tdb).selectFrom('t').selectAll().where('a', '=', a));
    await expect(unused.execute(db, 'sqlite', ['x', 1])).rejects.toThrow(/1 of 2 arguments are not bound values/);
  });

  it('gives the builder the dialect it compiles for', async () => {
    const db = scratch();
    const seen: string[] = [];
    const q = new QueryTemplate<[a: string], { a: string }>((tdb, [a], dialect) => {
      seen.push(dialect);
      return untyped(tdb).selectFrom('t').select('a').where('a', '=', a);
    });
    await q.execute(db, 'sqlite', ['x']);
    expect(seen).toEqual(['sqlite']);
  });
});

describe('padToPowerOfTwo', () => {
  it('pads a list to the next power of two with its last item', () => {
    expect(padToPowerOfTwo(['a'])).toEqual(['a']);
    expect(padToPowerOfTwo(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'c']);
    expect(padToPowerOfTwo(['a', 'b', 'c', 'd', 'e'])).toHaveLength(8);
    expect(padToPowerOfTwo(['a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
  });
});
