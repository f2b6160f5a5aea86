/** What every query module gets (internal): the Kysely handle, the dialect and its encodings, the clock. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The two supported databases. */
export type DialectName = 'sqlite' | 'postgres';

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** The store's clock, for timestamps the caller did not give. */
  readonly now: () => Date;
  readonly xcomSizeLimitBytes: number;
  /** Runs `fn` in one transaction; on SQLite the write lock is taken up front (BEGIN IMMEDIATE). */
  atomic<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** Encodes a time for a bind parameter: SQLite cannot bind a Date, and ISO text keeps time order. */
export function time(ctx: StoreContext, value: Date): Date | string {
  return ctx.dialect === 'sqlite' ? value.toISOString() : value;
}

/** `time` for nullable columns. */
export function timeOrNull(ctx: StoreContext, value: Date | null | undefined): Date | string | null {
  return value == null ? null : time(ctx, value);
}

/** Encodes a boolean: SQLite cannot bind booleans. */
export function bool(ctx: StoreContext, value: boolean): boolean | number {
  return ctx.dialect === 'sqlite' ? (value ? 1 : 0) : value;
}
