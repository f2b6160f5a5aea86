import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalExecutorOptions, TaskWorkload } from '../../src/index.js';
import { type EventLog, executorStarter } from './helpers.js';
import { plainWorkload } from './plain-workload.js';

const here = dirname(fileURLToPath(import.meta.url));

const DAG_SOURCE = `import { DAG } from '@updraft/core';
export const dag = new DAG({ dagId: 'ahead' });
// No return value: a try that pushes an XCom waits for this process to store it.
for (let i = 0; i < 10; i++) dag.task('quick_' + i, () => undefined);
dag.task('gated', async (ctx) => { await ctx.ti.xcomPull({ taskIds: 'gated', key: 'gate' }); return process.pid; });
dag.task('leaves_a_timer', () => { setInterval(() => undefined, 5); return process.pid; });
`;

/** Keeps this process busy, reading no message of its runners, for `ms`; returns when it stopped. */
function blockFor(ms: number): Date {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy: the event loop turns only after this.
  }
  return new Date();
}

describe('LocalExecutor hands busy runners their next try (ADR-004)', () => {
  let root: string;
  let dagFile: string;
  let logsFolder: string;
  let runs = 0;
  const executors = executorStarter(() => ({ logsFolder, poolSize: 1, parallelism: 4, killGraceMs: 2000 }));

  beforeAll(() => {
    root = mkdtempSync(join(here, '.tmp-ahead-'));
    logsFolder = mkdtempSync(join(tmpdir(), 'updraft-ahead-logs-'));
    dagFile = join(root, 'ahead.ts');
    writeFileSync(dagFile, DAG_SOURCE);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(logsFolder, { recursive: true, force: true });
  });
  afterEach(() => executors.terminateAll());

  const work = (taskId: string): TaskWorkload => plainWorkload('ahead', dagFile, taskId, `run_${++runs}`);
  /** The try's `finished` event, with the pid its `started` event gave. */
  const finished = async (log: EventLog, w: TaskWorkload) => {
    const of = (e: { key: { runId: string; taskId: string } }): boolean => e.key.runId === w.runId && e.key.taskId === w.taskId;
    const end = await log.waitFor((e) => (e.type === 'finished' || e.type === 'lost') && of(e));
    if (end.type !== 'finished' || end.outcome.state !== 'success') throw new Error(`${w.taskId} did not succeed: ${JSON.stringify(end)}`);
    const started = await log.waitFor((e) => e.type === 'started' && of(e));
    return { ...end, pid: started.type === 'started' ? started.pid : 0 };
  };
  /**
   * Starts an executor with one runner and runs five quick tries on it one after another: the first imports the
   * DAG file, and the four after it are the DAG's latest tries, all short, so its tries may be handed ahead from
   * then on. Then queues `first` and `second` together: `second` finds the runner busy with `first`.
   */
  const twoTries = async (firstTask: string, secondTask: string, options: Partial<LocalExecutorOptions> = {}) => {
    const started = executors.start(options);
    let pid = 0;
    for (let i = 0; i < 5; i++) {
      const w = work(`quick_${i}`);
      started.executor.queue(w);
      pid = (await finished(started.log, w)).pid;
    }
    const first = work(firstTask);
    const second = work(secondTask);
    started.executor.queue(first);
    started.executor.queue(second);
    return { ...started, pid, first, second };
  };

  it('a busy runner starts the try it holds as soon as it reports the one before, without waiting for this process', async () => {
    const { log, pid, first, second } = await twoTries('quick_5', 'quick_6');
    // Nothing the runner sends is read meanwhile: a runner waiting to be answered could not start `second`.
    const unblocked = blockFor(400);
    const end = await finished(log, second);
    expect(end.pid).toBe(pid);
    expect(end.startedAt.getTime()).toBeLessThan(unblocked.getTime());
    expect((await finished(log, first)).pid).toBe(pid);
  });

  it('with prefetch off, a runner gets its next try only once this process has read its report', async () => {
    const { log, second } = await twoTries('quick_5', 'quick_6', { prefetch: false });
    const unblocked = blockFor(400);
    expect((await finished(log, second)).startedAt.getTime()).toBeGreaterThanOrEqual(unblocked.getTime());
  });

  it('takes a held try back when the try before it goes on, and runs it on another runner', async () => {
    const { log, xcoms, pid, first: gated, second: quick } = await twoTries('gated', 'quick_5');
    await xcoms.reached('gated', gated.runId);
    // Held behind `gated` at first, then taken back and run by a runner forked for it, while `gated` waits.
    expect((await finished(log, quick)).pid).not.toBe(pid);
    expect(log.of('gated').some((e) => e.type === 'finished' || e.type === 'lost')).toBe(false);
    xcoms.open('gated', gated.runId);
    expect((await finished(log, gated)).pid).toBe(pid);
  });

  it('gives a held try to another runner when its runner dies, without reporting it lost', async () => {
    const { log, pid, second: quick } = await twoTries('gated', 'quick_5');
    process.kill(pid, 'SIGKILL');
    expect((await log.ended('gated')).type).toBe('lost');
    expect((await finished(log, quick)).pid).not.toBe(pid);
    expect(log.of('quick_5').filter((e) => e.key.runId === quick.runId && e.type === 'lost')).toEqual([]);
  });

  it('returns a held try from terminate() as not started, and never starts it', async () => {
    const { executor, log, xcoms, first: gated, second: quick } = await twoTries('gated', 'quick_5');
    await xcoms.reached('gated', gated.runId);
    const notStarted = await executor.terminate();
    expect(notStarted.map((w) => w.taskId)).toEqual(['quick_5']);
    expect((await log.ended('gated')).type).toBe('finished');
    expect(log.of('quick_5').filter((e) => e.key.runId === quick.runId)).toEqual([]);
  });

  it('gives a held try to another runner when its runner exits after the try before it', async () => {
    const { log, pid, first: leaky, second: quick } = await twoTries('leaves_a_timer', 'quick_5');
    expect((await finished(log, leaky)).pid).toBe(pid);
    expect((await finished(log, quick)).pid).not.toBe(pid);
  });
});
