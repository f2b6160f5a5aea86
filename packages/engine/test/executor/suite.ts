import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateTryError,
  ExecutorClosedError,
  InvalidWorkloadError,
  tryLogPath,
  type Executor,
  type ExecutorEvent,
  type XComBackend,
} from '../../src/index.js';
import { EventLog, type Fixture, GateXComBackend, makeFixture, RUN_ID, workload } from './helpers.js';

/** What the suite asks of an executor under test. */
export interface SuiteExecutorOptions {
  xcoms: XComBackend;
  logsFolder: string;
  parallelism: number;
  heartbeatIntervalMs: number;
}

/** An executor implementation to check against the contract. */
export interface ExecutorSuiteSubject {
  name: string;
  newExecutor: (options: SuiteExecutorOptions) => Executor;
}

/**
 * The conformance suite of the `Executor` contract, run against every implementation. Tries that must stay
 * running wait at an XCom "gate" that the test opens, so nothing depends on timing.
 */
export function runExecutorSuite(subject: ExecutorSuiteSubject): void {
  describe(`${subject.name} (executor contract)`, () => {
    let fx: Fixture;
    let open: Executor[] = [];
    beforeAll(() => {
      fx = makeFixture();
    });
    afterAll(() => fx.remove());
    afterEach(async () => {
      await Promise.all(open.map((e) => e.terminate()));
      open = [];
    });

    const start = (o: Partial<SuiteExecutorOptions> = {}): { executor: Executor; log: EventLog; xcoms: GateXComBackend } => {
      const xcoms = new GateXComBackend();
      const executor = subject.newExecutor({ xcoms, logsFolder: fx.logsFolder, parallelism: 4, heartbeatIntervalMs: 1000, ...o });
      open.push(executor);
      return { executor, log: new EventLog(executor), xcoms };
    };

    it('runs a try to success: return value, XComs pulled and pushed through the backend, the run context', async () => {
      const { executor, log, xcoms } = start();
      await xcoms.push({ dagId: 'suite', runId: RUN_ID, taskId: 'upstream', key: 'return_value', value: 20, tryNumber: 1 });
      executor.queue(workload(fx.dagFile, 'success', { tryNumber: 2, maxTries: 2 }));
      const started = await log.started('success');
      const done = await log.finished('success');
      expect(done.outcome).toEqual({ state: 'success', returnValue: { up: 20, n: 3, tryNumber: 2, interval: '2025-01-02T00:00:00.000Z' } });
      expect(done.startedAt.getTime()).toBeLessThanOrEqual(done.endedAt.getTime());
      expect(done.durationMs).toBe(done.endedAt.getTime() - done.startedAt.getTime());
      expect(started.pid).toBeGreaterThan(0);
      expect(started.hostname).not.toBe('');
      const entries = await xcoms.list({ dagId: 'suite', runId: RUN_ID });
      expect(entries.filter((e) => e.taskId === 'success').map((e) => [e.key, e.value, e.tryNumber])).toEqual(
        expect.arrayContaining([
          ['doubled', 40, 2],
          ['return_value', done.outcome.state === 'success' ? done.outcome.returnValue : null, 2],
        ]),
      );
      const lines = log.of('success').flatMap((e) => (e.type === 'log' ? [e.record.message] : []));
      expect(lines).toContain('n=3 conf.c=see ds=2025-01-01 run_type=manual');
      expect(readFileSync(tryLogPath(fx.logsFolder, workload(fx.dagFile, 'success', { tryNumber: 2 })), 'utf8')).toMatch(/INFO - n=3 conf\.c=see/);
    });

    it('clears what earlier tries of the task pushed before a new try runs', async () => {
      const { executor, log, xcoms } = start();
      await xcoms.push({ dagId: 'suite', runId: RUN_ID, taskId: 'fails', key: 'stale', value: 'from try 1', tryNumber: 1 });
      executor.queue(workload(fx.dagFile, 'fails', { tryNumber: 2 }));
      await log.finished('fails');
      expect(await xcoms.pull({ dagId: 'suite', runId: RUN_ID, taskId: 'fails', key: 'stale' })).toBeUndefined();
    });

    it('reports a failure with its error, retryable', async () => {
      const { executor, log } = start();
      executor.queue(workload(fx.dagFile, 'fails'));
      const { outcome } = await log.finished('fails');
      expect(outcome).toMatchObject({ state: 'failed', retryable: true, error: { name: 'Error', message: 'boom' } });
      expect(outcome.state === 'failed' && outcome.error.stack).toMatch(/boom/);
    });

    it('reports a skip with its reason', async () => {
      const { executor, log } = start();
      executor.queue(workload(fx.dagFile, 'skips'));
      expect((await log.finished('skips')).outcome).toEqual({ state: 'skipped', reason: 'nothing to do' });
    });

    it('reports ctx.fail() as a failure that must not be retried', async () => {
      const { executor, log } = start();
      executor.queue(workload(fx.dagFile, 'fails_hard'));
      expect((await log.finished('fails_hard')).outcome).toMatchObject({ state: 'failed', retryable: false, error: { name: 'FailTaskError', message: 'bad input' } });
    });

    it('fails the try when the DAG file does not import or lacks the task', async () => {
      const { executor, log } = start();
      executor.queue(workload(fx.brokenDagFile, 'gated_0'));
      executor.queue(workload(fx.dagFile, 'no_such_task'));
      expect((await log.finished('gated_0')).outcome).toMatchObject({ state: 'failed', retryable: true, error: { name: 'DagImportError' } });
      expect((await log.finished('no_such_task')).outcome).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/no task 'no_such_task'/) as unknown } });
    });

    it('heartbeats while a try runs', async () => {
      const { executor, log, xcoms } = start({ heartbeatIntervalMs: 10 });
      executor.queue(workload(fx.dagFile, 'gated_0'));
      await xcoms.reached('gated_0');
      const beat = await log.nth('heartbeat', 'gated_0', 2);
      xcoms.open('gated_0');
      await log.finished('gated_0');
      const mine = log.of('gated_0');
      const types = mine.map((e) => e.type);
      expect(types.indexOf('started')).toBeLessThan(mine.indexOf(beat));
      expect(types.lastIndexOf('heartbeat')).toBeLessThan(types.indexOf('finished'));
    });

    it('never runs more than `parallelism` tries at once; the others start in order as slots free', async () => {
      const { executor, log, xcoms } = start({ parallelism: 2 });
      const ids = ['gated_0', 'gated_1', 'gated_2', 'gated_3', 'gated_4'];
      for (const id of ids) executor.queue(workload(fx.dagFile, id));
      await Promise.all([xcoms.reached('gated_0'), xcoms.reached('gated_1')]);
      expect([executor.runningCount, executor.queuedCount, executor.freeSlots]).toEqual([2, 3, 0]);
      expect(log.events.filter((e) => e.type === 'started').map((e) => e.key.taskId).sort()).toEqual(['gated_0', 'gated_1']);
      // One slot frees at a time, and the next try is waited for before the following slot frees.
      for (let i = 0; i < ids.length; i++) {
        xcoms.open(ids[i] as string);
        await log.finished(ids[i] as string);
        if (i + 2 < ids.length) await xcoms.reached(ids[i + 2] as string);
      }
      let running = 0;
      let most = 0;
      for (const e of log.events) {
        if (e.type === 'started') most = Math.max(most, ++running);
        if (e.type === 'finished' || e.type === 'lost') running -= 1;
      }
      expect(most).toBe(2);
      expect(log.events.filter((e) => e.type === 'started').map((e) => e.key.taskId).slice(2)).toEqual(['gated_2', 'gated_3', 'gated_4']);
      const firstEnd = log.events.findIndex((e) => e.type === 'finished');
      expect(log.events.findIndex((e) => e.type === 'started' && e.key.taskId === 'gated_2')).toBeGreaterThan(firstEnd);
      expect(executor.freeSlots).toBe(2);
    });

    it('end() refuses new work and resolves only after the queued and running tries ended', async () => {
      const { executor, log, xcoms } = start({ parallelism: 1 });
      executor.queue(workload(fx.dagFile, 'gated_0'));
      executor.queue(workload(fx.dagFile, 'gated_1'));
      let ended = false;
      const ending = executor.end().then(() => (ended = true));
      expect(() => executor.queue(workload(fx.dagFile, 'gated_2'))).toThrow(ExecutorClosedError);
      await xcoms.reached('gated_0');
      expect(ended).toBe(false);
      xcoms.open('gated_0');
      await xcoms.reached('gated_1');
      expect(ended).toBe(false);
      xcoms.open('gated_1');
      await ending;
      expect(log.events.filter((e) => e.type === 'finished').map((e) => [e.key.taskId, e.outcome.state])).toEqual([
        ['gated_0', 'success'],
        ['gated_1', 'success'],
      ]);
    });

    it('terminate() stops the running tries as failed and hands back the ones that never started', async () => {
      const { executor, log } = start({ parallelism: 1 });
      executor.queue(workload(fx.dagFile, 'until_stopped'));
      const waiting = workload(fx.dagFile, 'gated_0');
      executor.queue(waiting);
      await log.started('until_stopped');
      const notStarted = await executor.terminate();
      expect(notStarted.map((w) => w.taskId)).toEqual([waiting.taskId]);
      const ends = log.events.filter((e): e is Extract<ExecutorEvent, { type: 'finished' }> => e.type === 'finished');
      expect(ends.map((e) => [e.key.taskId, e.outcome])).toEqual([
        ['until_stopped', { state: 'failed', retryable: true, error: expect.objectContaining({ name: 'TaskTerminatedError' }) as unknown }],
      ]);
      expect(log.of('gated_0')).toEqual([]);
      expect([executor.runningCount, executor.queuedCount]).toEqual([0, 0]);
      expect(() => executor.queue(workload(fx.dagFile, 'gated_1'))).toThrow(ExecutorClosedError);
    });

    it('refuses a malformed workload, ids that cannot name a log folder, and a try queued twice', () => {
      const { executor } = start();
      const refused = (over: Record<string, unknown>): InvalidWorkloadError => {
        try {
          executor.queue({ ...workload(fx.dagFile, 'gated_0'), ...over });
        } catch (e) {
          if (e instanceof InvalidWorkloadError) return e;
          throw e;
        }
        throw new Error(`accepted ${JSON.stringify(over)}`);
      };
      expect(refused({ runId: 'manual__a/b' }).field).toBe('runId');
      expect(refused({ runId: '..' }).field).toBe('runId');
      expect(refused({ runId: 'a\0b' }).field).toBe('runId');
      expect(refused({ taskId: '..' }).field).toBe('taskId');
      expect(refused({ tryNumber: 0 }).field).toBe('tryNumber');
      expect(refused({ dagFile: 'relative/dag.ts' }).field).toBe('dagFile');
      expect(refused({ executionTimeoutMs: -1 }).field).toBe('executionTimeoutMs');
      expect(refused({ params: { when: new Date() } }).field).toBe('params.when');
      expect(refused({ run: { runType: 'sometimes', logicalDate: null, dataInterval: null, conf: {} } }).field).toBe('run.runType');
      executor.queue(workload(fx.dagFile, 'gated_0'));
      expect(() => executor.queue(workload(fx.dagFile, 'gated_0'))).toThrow(DuplicateTryError);
    });
  });
}
