import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; the store's queries have far fewer shapes than this. */
const MAX_STATEMENTS = 500;

/**
 * The better-sqlite3 handle as Kysely's SQLite dialect sees it, with prepared statements kept and reused by their
 * SQL text (least recently used dropped first). Kysely prepares every query it runs, and preparing costs more
 * than running for the store's small, hot queries. A statement is run to completion before the next query on the
 * single connection, so sharing one is safe; streamed queries get their own, as an iterating statement is busy.
 */
export function cachingDatabase(handle: Database.Database, max = MAX_STATEMENTS): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    const hit = cache.get(sql);
    if (hit) {
      // Map order is insertion order: moving a hit to the end makes the first key the least recently used.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = handle.prepare(sql);
    cache.set(sql, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return statement;
  };
  return {
    close: () => {
      cache.clear();
      handle.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const statement = prepare(sql);
      return {
        get reader() {
          return statement.reader;
        },
        all: (parameters) => statement.all(...parameters),
        run: (parameters) => statement.run(...parameters),
        // Streaming leaves the statement busy until the stream ends: never a shared one.
        iterate: (parameters) => handle.prepare(sql).iterate(...parameters),
      };
    },
  };
}
