import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { DialectName } from './context.js';
import type { Database } from './schema.js';

/** Where a compiled parameter comes from: an argument of the template, or a constant its builder put there. */
type Slot = { arg: number } | { value: unknown };

/** Marks argument `i` while a template is compiled; no value the store binds looks like it. */
const PREFIX = '\u0000updraft-template-argument-';
const marker = (i: number): string => `${PREFIX}${i}`;
/** The argument a compiled parameter marks, if it is a marker. */
const markedArgument = (p: unknown): number | null => (typeof p === 'string' && p.startsWith(PREFIX) ? Number(p.slice(PREFIX.length)) : null);

/**
 * A query compiled once per dialect and shape, then run with new arguments. Kysely builds and compiles every query
 * it runs, which for the store's hot, small queries (a try's transition and history row, an XCom clear, a claim, a
 * run by its key) costs more than the database takes to run them. The builder is called once per dialect and shape
 * with a marker for each argument, and the shape (what the SQL depends on besides the dialect: which columns, how
 * many ids); each run binds its arguments where the markers came out. The builder must use each argument as one
 * bound value (not a list to expand, nor a name), and its SQL must depend on nothing but the dialect and the shape.
 * Shapes are told apart by their JSON.
 */
export class QueryTemplate<A extends readonly unknown[], R, S = undefined> {
  readonly #build: (db: Kysely<Database>, args: A, dialect: DialectName, shape: S) => Compilable<R>;
  readonly #compiled = new Map<string, { sql: string; slots: Slot[] }>();

  constructor(build: (db: Kysely<Database>, args: A, dialect: DialectName, shape: S) => Compilable<R>) {
    this.#build = build;
  }

  /** Runs the template on `db` (the store's handle or a transaction's) with `args`, in the given shape. */
  async execute(db: Kysely<Database>, dialect: DialectName, args: A, ...[shape]: S extends undefined ? [] : [shape: S]): Promise<QueryResult<R>> {
    const key = shape === undefined ? dialect : `${dialect}\u0000${JSON.stringify(shape)}`;
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = this.#compile(db, dialect, args.length, shape as S);
      this.#compiled.set(key, compiled);
    }
    const parameters = compiled.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
  }

  #compile(db: Kysely<Database>, dialect: DialectName, arity: number, shape: S): { sql: string; slots: Slot[] } {
    const markers = Array.from({ length: arity }, (_, i) => marker(i)) as unknown as A;
    const { sql, parameters } = this.#build(db, markers, dialect, shape).compile();
    const used = new Set<number>();
    const slots = parameters.map((p): Slot => {
      const arg = markedArgument(p);
      if (arg === null) return { value: p };
      used.add(arg);
      return { arg };
    });
    // An argument that did not come out as a bound value would be silently dropped: a bug in the template.
    if (used.size !== arity) throw new Error(`query template: ${arity - used.size} of ${arity} arguments are not bound values in: ${sql}`);
    return { sql, slots };
  }
}

/**
 * A non-empty list padded to the next power of two with its last item, for an `IN` list of a template: a repeated
 * value changes no `IN`, and the template gets a few shapes instead of one per length.
 */
export function padToPowerOfTwo<T>(list: readonly T[]): T[] {
  let size = 1;
  while (size < list.length) size *= 2;
  return [...list, ...Array<T>(size - list.length).fill(list[list.length - 1] as T)];
}
