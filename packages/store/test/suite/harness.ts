import { afterEach, beforeEach } from 'vitest';
import type { CommonStoreOptions, MetadataStore, TaskInstanceCreate } from '../../src/index.js';

/** A database made for one test. */
export interface StoreHandle {
  /** A store on a fresh database, not yet migrated. */
  store: MetadataStore;
  /** Opens another store on the same database, as a second scheduler would; `dispose` closes it. */
  peer(): MetadataStore;
  /** Closes every store of this database and deletes it. */
  dispose(): Promise<void>;
}

/** What the conformance suite runs against. */
export interface StoreSuiteTarget {
  /** Shown in test names. */
  name: string;
  /** Creates a fresh, empty database and opens a store on it. */
  newStore(options?: CommonStoreOptions): Promise<StoreHandle>;
  /**
   * Whether two stores in one process may hold overlapping transactions. better-sqlite3 waits for a lock
   * synchronously, blocking the very event loop the lock holder needs, so SQLite says false; across
   * processes SQLite's busy timeout does the waiting (see sqlite.test.ts).
   */
  parallelTransactions: boolean;
  /** When set, the suite is skipped and this says why. */
  skipReason?: string;
}

/** The start of every test's fake clock. */
export const T0 = new Date('2024-03-01T00:00:00.000Z');

/** `T0` plus some minutes. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

/** Per-test store with a fake clock the test can move. */
export interface TestContext {
  readonly store: MetadataStore;
  readonly handle: StoreHandle;
  /** Current fake time; assign to move the clock. */
  clock: Date;
}

/** Registers beforeEach/afterEach that give each test a migrated store on a fresh database. */
export function useStore(target: StoreSuiteTarget, options: Omit<CommonStoreOptions, 'now'> = {}): TestContext {
  let handle: StoreHandle | undefined;
  const ctx = {
    clock: T0,
    get handle(): StoreHandle {
      if (!handle) throw new Error('no store outside a test');
      return handle;
    },
    get store(): MetadataStore {
      return this.handle.store;
    },
  };
  beforeEach(async () => {
    ctx.clock = T0;
    handle = await target.newStore({ ...options, now: () => ctx.clock });
    await handle.store.migrate();
  });
  afterEach(async () => {
    await handle?.dispose();
    handle = undefined;
  });
  return ctx;
}

/** Creates a DAG (unpaused) and a running run of it. */
export async function seedRun(
  store: MetadataStore,
  dagId = 'dag_a',
  runId = 'run_1',
  extra: { runAfter?: Date; paused?: boolean; logicalDate?: Date | null } = {},
): Promise<void> {
  if (!(await store.getDag(dagId))) {
    await store.upsertDag({ dagId, fileloc: `/dags/${dagId}.ts`, isPausedUponCreation: extra.paused ?? false });
  }
  await store.createDagRun({
    dagId,
    runId,
    runType: 'manual',
    state: 'running',
    runAfter: extra.runAfter ?? T0,
    logicalDate: extra.logicalDate ?? null,
  });
}

/** Task instances `t0..t{n-1}` of one run, all in `state`. */
export function tasks(dagId: string, runId: string, n: number, fields: Partial<TaskInstanceCreate> = {}): TaskInstanceCreate[] {
  return Array.from({ length: n }, (_, i) => ({ dagId, runId, taskId: `t${String(i).padStart(3, '0')}`, ...fields }));
}
