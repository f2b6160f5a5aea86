import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Executor, InProcessExecutor } from '@updraft/engine';
import { createSqliteStore, type MetadataStore } from '@updraft/store';
import { DagProcessor } from '../src/processor/dag-processor.js';
import { Scheduler, type SchedulerOptions } from '../src/scheduler/scheduler.js';
import { StoreXComBackend } from '../src/scheduler/xcom-store.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A fake clock the scheduler reads; tests move it by hand. */
export class FakeClock {
  constructor(public at: Date) {}
  now = (): Date => new Date(this.at.getTime());
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** A DAGs folder, store, processor, in-process executor and scheduler in a temporary folder under the repository. */
export interface Harness {
  dir: string;
  dagsFolder: string;
  store: MetadataStore;
  processor: DagProcessor;
  executor: Executor;
  scheduler: Scheduler;
  clock: FakeClock;
  writeDag(name: string, source: string): void;
  /** Scheduler passes until the executor is idle and a pass changes nothing more, at most `max` passes. */
  settle(max?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(options: { now?: Date; scheduler?: Partial<SchedulerOptions>; executor?: Executor } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(here, '.tmp-sched-'));
  const dagsFolder = join(dir, 'dags');
  mkdirSync(dagsFolder);
  const store = createSqliteStore({ path: join(dir, 'updraft.db') });
  await store.migrate();
  const clock = new FakeClock(options.now ?? new Date('2025-01-03T12:00:00Z'));
  const processor = new DagProcessor({ store, dagsFolder, now: clock.now, parallelism: 1 });
  const executor = options.executor ?? new InProcessExecutor({ xcoms: new StoreXComBackend(store), logsFolder: join(dir, 'logs') });
  const scheduler = new Scheduler({ store, executor, executorName: 'InProcessExecutor', now: clock.now, ...options.scheduler });
  await scheduler.register();
  const idle = (): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (executor.runningCount === 0 && executor.queuedCount === 0) {
          off();
          resolve();
        }
      };
      const off = executor.onEvent(() => setImmediate(check));
      check();
    });
  return {
    dir,
    dagsFolder,
    store,
    processor,
    executor,
    scheduler,
    clock,
    writeDag(name, source) {
      writeFileSync(join(dagsFolder, name), source);
    },
    async settle(max = 50) {
      for (let i = 0; i < max; i++) {
        await scheduler.runOnce();
        if (executor.runningCount === 0 && executor.queuedCount === 0) {
          // One more pass to record what finished and to see if anything new became ready.
          await scheduler.runOnce();
          if (executor.runningCount === 0 && executor.queuedCount === 0) return;
        }
        await idle();
      }
      throw new Error(`not settled after ${max} passes`);
    },
    async close() {
      await scheduler.stop();
      await processor.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
