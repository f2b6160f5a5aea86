import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonValue } from '@updraft/core';
import { LocalExecutor, type LocalExecutorOptions, MemoryXComBackend, type Executor, type ExecutorEvent, type TaskWorkload, type XComRef } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The DAG every executor test runs. Tasks that must wait for the test pull the XCom key `gate` of their own task. */
const SUITE_DAG = `import { DAG } from '@updraft/core';
import { existsSync } from 'node:fs';

export const dag = new DAG({ dagId: 'suite', params: { n: { type: 'integer', default: 1 } } });
const gate = (ctx) => ctx.ti.xcomPull({ taskIds: ctx.ti.taskId, key: 'gate' });

dag.task('upstream', () => 20);
dag.task('success', async (ctx) => {
  const up = await ctx.ti.xcomPull({ taskIds: 'upstream' });
  await ctx.ti.xcomPush('doubled', up * 2);
  ctx.log.info('n=%d conf.c=%s ds=%s run_type=%s', ctx.params.n, ctx.conf.c, ctx.ds, ctx.dagRun.runType);
  return { up, n: ctx.params.n, tryNumber: ctx.ti.tryNumber, interval: ctx.dataInterval.end.toISOString() };
});
dag.task('fails', () => { throw new Error('boom'); });
dag.task('skips', (ctx) => ctx.skip('nothing to do'));
dag.task('fails_hard', (ctx) => ctx.fail('bad input'));
for (let i = 0; i < 5; i++) dag.task('gated_' + i, async (ctx) => { await gate(ctx); return ctx.ti.taskId; });
dag.task('until_stopped', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
dag.task('talks', async (ctx) => {
  ctx.log.info('from the logger');
  console.log('from console.log');
  console.error('from console.error');
  process.stdout.write('no newline at the end');
});
dag.task('exits', () => { process.exit(1); });
dag.task('kills_itself', () => { process.kill(process.pid, 'SIGKILL'); });
dag.task('spins', () => { for (;;) {} });
dag.task('spins_loudly', (ctx) => { ctx.log.info('spinning'); for (;;) {} });
dag.task('spins_until_file', (ctx) => { while (!existsSync(ctx.params.file)) {} return 'done'; });
dag.task('hogs_memory', () => { const kept = []; for (;;) kept.push(new Array(1e5).fill(kept.length)); });
dag.task('stray_throw', () => new Promise(() => { setTimeout(() => { throw new Error('thrown in a callback'); }, 1); }));
dag.task('forges_xcom_clear', async (ctx) => {
  process.send({ type: 'xcom', id: 1e9, op: 'clear', arg: { dagId: 'suite', runId: 'other_run', taskId: 'upstream' } });
  await gate(ctx);
});
`;

/** A folder of DAG files under the repository (so `@updraft/core` resolves from it) and a logs folder, both temporary. */
export interface Fixture {
  dagFile: string;
  brokenDagFile: string;
  logsFolder: string;
  remove(): void;
}

export function makeFixture(): Fixture {
  const root = mkdtempSync(join(here, '.tmp-'));
  const logsFolder = mkdtempSync(join(tmpdir(), 'updraft-executor-logs-'));
  const dagFile = join(root, 'suite_dag.ts');
  const brokenDagFile = join(root, 'broken_dag.ts');
  writeFileSync(dagFile, SUITE_DAG);
  writeFileSync(brokenDagFile, `import { DAG } from '@updraft/core';\nexport const dag = new DAG({ dagId: 'suite' ;\n`);
  return {
    dagFile,
    brokenDagFile,
    logsFolder,
    remove: () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(logsFolder, { recursive: true, force: true });
    },
  };
}

export const RUN_ID = 'manual__2025-01-01T00:00:00+00:00';

/** A workload of the suite DAG. */
export function workload(dagFile: string, taskId: string, over: Partial<TaskWorkload> = {}): TaskWorkload {
  const logicalDate = new Date('2025-01-01T00:00:00Z');
  return {
    dagId: 'suite',
    runId: RUN_ID,
    taskId,
    tryNumber: 1,
    maxTries: 1,
    dagFile,
    run: { runType: 'manual', logicalDate, dataInterval: { start: logicalDate, end: new Date('2025-01-02T00:00:00Z') }, conf: { c: 'see' } },
    params: { n: 3 },
    queue: 'default',
    executionTimeoutMs: null,
    ...over,
  };
}

/**
 * An in-memory XCom backend whose key `gate` blocks a pulling task until the test opens it, which lets tests
 * hold tries running in any process without sleeping.
 */
export class GateXComBackend extends MemoryXComBackend {
  readonly #open = new Map<string, () => void>();
  readonly #waiting = new Map<string, () => void>();
  readonly #arrived = new Map<string, Promise<void>>();

  override pull(ref: XComRef): Promise<JsonValue | undefined> {
    if (ref.key !== 'gate') return super.pull(ref);
    const id = `${ref.runId}/${ref.taskId}`;
    void this.#arrival(id);
    this.#waiting.get(id)?.();
    return new Promise((resolve) => this.#open.set(id, () => resolve('opened')));
  }

  /** Resolves once the task is waiting at its gate. */
  reached(taskId: string, runId = RUN_ID): Promise<void> {
    return this.#arrival(`${runId}/${taskId}`);
  }

  /** Lets the waiting task go on. */
  open(taskId: string, runId = RUN_ID): void {
    this.#open.get(`${runId}/${taskId}`)?.();
  }

  #arrival(id: string): Promise<void> {
    let p = this.#arrived.get(id);
    if (!p) {
      p = new Promise((resolve) => this.#waiting.set(id, resolve));
      this.#arrived.set(id, p);
    }
    return p;
  }
}

type Ending = Extract<ExecutorEvent, { type: 'finished' | 'lost' }>;

/** Records an executor's events and waits for the ones a test expects. */
export class EventLog {
  readonly events: ExecutorEvent[] = [];
  readonly #waiters: { match: (e: ExecutorEvent) => boolean; resolve: (e: ExecutorEvent) => void }[] = [];

  constructor(executor: Executor) {
    executor.onEvent((e) => {
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (w.match(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  /** The first event, past or coming, that matches. */
  waitFor(match: (e: ExecutorEvent) => boolean): Promise<ExecutorEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** The `nth` (from 1) event of this type for the task. */
  async nth<T extends ExecutorEvent['type']>(type: T, taskId: string, nth = 1): Promise<Extract<ExecutorEvent, { type: T }>> {
    let count = 0;
    const e = await this.waitFor((x) => x.type === type && x.key.taskId === taskId && ++count === nth);
    return e as Extract<ExecutorEvent, { type: T }>;
  }

  started(taskId: string): Promise<Extract<ExecutorEvent, { type: 'started' }>> {
    return this.nth('started', taskId);
  }

  /** The `finished` or `lost` event of the task. */
  async ended(taskId: string): Promise<Ending> {
    return (await this.waitFor((e) => (e.type === 'finished' || e.type === 'lost') && e.key.taskId === taskId)) as Ending;
  }

  async finished(taskId: string): Promise<Extract<ExecutorEvent, { type: 'finished' }>> {
    const e = await this.ended(taskId);
    if (e.type !== 'finished') throw new Error(`expected ${taskId} to finish, it was lost: ${JSON.stringify(e)}`);
    return e;
  }

  of(taskId: string): ExecutorEvent[] {
    return this.events.filter((e) => e.key.taskId === taskId);
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A LocalExecutor a test started, with its gate XCom backend and its event log. */
export interface StartedExecutor {
  executor: LocalExecutor;
  log: EventLog;
  xcoms: GateXComBackend;
}

/**
 * Starts LocalExecutors for the tests of a file, with `defaults()` under each test's options; `terminateAll()`
 * (for `afterEach`) stops those started since its last call.
 */
export function executorStarter(defaults: () => Omit<LocalExecutorOptions, 'xcoms'>): {
  start(options?: Partial<LocalExecutorOptions>): StartedExecutor;
  terminateAll(): Promise<void>;
} {
  let open: LocalExecutor[] = [];
  return {
    start(options = {}) {
      const xcoms = new GateXComBackend();
      const executor = new LocalExecutor({ xcoms, ...defaults(), ...options });
      open.push(executor);
      return { executor, log: new EventLog(executor), xcoms };
    },
    async terminateAll() {
      await Promise.all(open.map((e) => e.terminate()));
      open = [];
    },
  };
}
