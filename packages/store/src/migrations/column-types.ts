import { sql, type ColumnDataType, type CreateTableBuilder, type Expression } from 'kysely';
import type { DialectName } from '../context.js';

/** Column types that differ between the dialects; everything else is plain `text` / `integer`. */
export interface ColumnTypes {
  /**
   * Text that sorts by code point on both databases: SQLite's BINARY collation, and "C" on PostgreSQL,
   * whose default collation follows the server locale and would page listings differently.
   */
  text: ColumnDataType | Expression<unknown>;
  /** `timestamptz` on PostgreSQL; ISO-8601 text on SQLite, which sorts and compares in time order. */
  time: ColumnDataType;
  /** `json` (not `jsonb`) on PostgreSQL, so values come back with their key order; text on SQLite. */
  json: ColumnDataType;
  bool: ColumnDataType;
  float: ColumnDataType;
  /** Adds an auto-incrementing integer primary key `id`. */
  id: <T extends string>(table: CreateTableBuilder<T, never>) => CreateTableBuilder<T, 'id'>;
}

/** The column types of one dialect. */
export function columnTypes(dialect: DialectName): ColumnTypes {
  if (dialect === 'postgres') {
    return {
      text: sql`text collate "C"`,
      time: 'timestamptz',
      json: 'json',
      bool: 'boolean',
      float: 'double precision',
      id: (table) => table.addColumn('id', 'serial', (col) => col.primaryKey()),
    };
  }
  return {
    text: 'text',
    time: 'text',
    json: 'text',
    bool: 'integer',
    float: 'real',
    // AUTOINCREMENT so ids of deleted rows are never reused: the audit log and jobs are read in id order.
    id: (table) => table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement()),
  };
}
