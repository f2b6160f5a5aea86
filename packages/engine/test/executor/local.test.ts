import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { LocalExecutor, type LocalExecutorOptions } from '../../src/index.js';
import { EventLog, type Fixture, GateXComBackend, isAlive, makeFixture, RUN_ID, workload } from './helpers.js';
import { runExecutorSuite } from './suite.js';

runExecutorSuite({ name: 'LocalExecutor', newExecutor: (o) => new LocalExecutor({ ...o, poolSize: 1, killGraceMs: 2000 }) });

describe('LocalExecutor (task runner processes)', () => {
  let fx: Fixture;
  let open: LocalExecutor[] = [];
  beforeAll(() => {
    fx = makeFixture();
  });
  afterAll(() => fx.remove());
  afterEach(async () => {
    await Promise.all(open.map((e) => e.terminate()));
    open = [];
  });

  const start = (o: Partial<LocalExecutorOptions> = {}): { executor: LocalExecutor; log: EventLog; xcoms: GateXComBackend } => {
    const xcoms = new GateXComBackend();
    const executor = new LocalExecutor({ xcoms, logsFolder: fx.logsFolder, poolSize: 1, killGraceMs: 2000, ...o });
    open.push(executor);
    return { executor, log: new EventLog(executor), xcoms };
  };
  const logText = (taskId: string, runId = RUN_ID): string =>
    readFileSync(join(fx.logsFolder, 'dag_id=suite', `run_id=${runId}`, `task_id=${taskId}`, 'attempt=1.log'), 'utf8');

  it('reports a task that calls process.exit(1) as lost, and goes on running tries', async () => {
    const { executor, log } = start({ parallelism: 1 });
    executor.queue(workload(fx.dagFile, 'exits'));
    executor.queue(workload(fx.dagFile, 'skips'));
    const started = await log.started('exits');
    expect(await log.ended('exits')).toMatchObject({ type: 'lost', started: true, pid: started.pid, exitCode: 1, signal: null });
    expect((await log.finished('skips')).outcome.state).toBe('skipped');
    expect(logText('exits')).toMatch(new RegExp(`ERROR - The task runner \\(pid ${started.pid}\\) exited with code 1 before reporting a result`));
  });

  it('reports tries whose runners cannot boot as lost before they started, and stops forking spare runners', async () => {
    const { executor, log } = start({ runnerExecArgv: ['--no-such-node-flag'], poolSize: 1 });
    executor.queue(workload(fx.dagFile, 'skips'));
    executor.queue(workload(fx.dagFile, 'fails'));
    for (const taskId of ['skips', 'fails']) {
      expect(await log.ended(taskId)).toMatchObject({ type: 'lost', started: false, signal: null, exitCode: expect.any(Number) as unknown });
    }
    expect(log.events.filter((e) => e.type === 'started')).toEqual([]);
    expect(logText('skips')).toMatch(/no-such-node-flag/);
    // Without spare runners left to boot, the pool counts as warm as it can be.
    await executor.whenWarm();
    expect(executor.warmRunnerPids).toEqual([]);
  });

  it('reports a task that SIGKILLs its own process as lost, with the signal', async () => {
    const { executor, log } = start();
    executor.queue(workload(fx.dagFile, 'kills_itself'));
    expect(await log.ended('kills_itself')).toMatchObject({ type: 'lost', started: true, exitCode: null, signal: 'SIGKILL' });
  });

  it('reports a runner killed before its first heartbeat as lost', async () => {
    const { executor, log, xcoms } = start({ heartbeatIntervalMs: 3_600_000 });
    executor.queue(workload(fx.dagFile, 'gated_0'));
    const { pid } = await log.started('gated_0');
    await xcoms.reached('gated_0');
    process.kill(pid, 'SIGKILL');
    expect(await log.ended('gated_0')).toMatchObject({ type: 'lost', started: true, pid, signal: 'SIGKILL' });
    expect(log.of('gated_0').filter((e) => e.type === 'heartbeat')).toEqual([]);
  });

  it('reports a runner that runs out of memory as lost, with what Node printed in the try log', async () => {
    const { executor, log } = start({ runnerExecArgv: ['--max-old-space-size=64'] });
    executor.queue(workload(fx.dagFile, 'hogs_memory'));
    const end = await log.ended('hogs_memory');
    expect(end).toMatchObject({ type: 'lost', started: true });
    expect(end.type === 'lost' && (end.signal !== null || end.exitCode !== 0)).toBe(true);
    expect(logText('hogs_memory')).toMatch(/WARN - .*heap out of memory/);
  });

  it('kills a CPU-bound task at its execution timeout (SIGTERM, then SIGKILL after the grace) and fails the try', async () => {
    const { executor, log } = start({ killGraceMs: 100 });
    executor.queue(workload(fx.dagFile, 'spins', { executionTimeoutMs: 200 }));
    const { pid } = await log.started('spins');
    const { outcome } = await log.finished('spins');
    expect(outcome).toMatchObject({ state: 'failed', retryable: true, error: { name: 'TaskTimeoutError' } });
    expect(isAlive(pid)).toBe(false);
    expect(logText('spins')).toMatch(/ERROR - Timeout: 200 ms \(executionTimeout\) passed: stopping the task runner/);
  });

  it('keeps heartbeating while a task blocks its main thread', async () => {
    const { executor, log } = start({ heartbeatIntervalMs: 10 });
    const file = join(fx.logsFolder, 'go-on');
    executor.queue(workload(fx.dagFile, 'spins_until_file', { params: { n: 1, file } }));
    await log.nth('heartbeat', 'spins_until_file', 3);
    writeFileSync(file, '');
    expect((await log.finished('spins_until_file')).outcome).toEqual({ state: 'success', returnValue: 'done' });
  });

  it("writes the try's log in Airflow's layout, with the logger's, console.log's and console.error's lines in order", async () => {
    const { executor, log } = start();
    const runId = 'scheduled__2025-01-01T00:00:00+00:00';
    executor.queue(workload(fx.dagFile, 'talks', { runId }));
    await log.finished('talks');
    const lines = logText('talks', runId).trimEnd().split('\n');
    const body = lines.map((l) => l.replace(/^\[[^\]]+\] /, ''));
    const at = (s: string): number => body.indexOf(s);
    expect(at('INFO - from the logger')).toBeGreaterThan(at('INFO - Starting attempt 1 of 1'));
    expect(at('INFO - from console.log')).toBe(at('INFO - from the logger') + 1);
    expect(at('WARN - from console.error')).toBe(at('INFO - from console.log') + 1);
    expect(at('INFO - no newline at the end')).toBe(at('WARN - from console.error') + 1);
    expect(at('INFO - Task exited with state success')).toBeGreaterThan(at('INFO - no newline at the end'));
    expect(lines.every((l) => /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] (INFO|WARN|ERROR|DEBUG) - /.test(l))).toBe(true);
    const sources = log.of('talks').flatMap((e) => (e.type === 'log' ? [[e.source, e.record.message]] : []));
    expect(sources).toEqual(
      expect.arrayContaining([
        ['task', 'from the logger'],
        ['stdout', 'from console.log'],
        ['stderr', 'from console.error'],
      ]),
    );
  });

  it('fails a try whose task throws where it cannot catch the error', async () => {
    const { executor, log } = start();
    executor.queue(workload(fx.dagFile, 'stray_throw'));
    expect((await log.finished('stray_throw')).outcome).toMatchObject({ state: 'failed', retryable: true, error: { message: 'thrown in a callback' } });
  });

  it("keeps a task from reaching another run's XComs through the runner's IPC channel", async () => {
    const { executor, log, xcoms } = start();
    const other = { dagId: 'suite', runId: 'other_run', taskId: 'upstream', key: 'return_value' };
    await xcoms.push({ ...other, value: 1, tryNumber: 1 });
    executor.queue(workload(fx.dagFile, 'forges_xcom_clear'));
    // The forged request travels the channel before the gate's pull does.
    await xcoms.reached('forges_xcom_clear');
    xcoms.open('forges_xcom_clear');
    await log.finished('forges_xcom_clear');
    expect(await xcoms.pull(other)).toBe(1);
  });

  it('fails a try, even a successful one, whose earlier XComs could not be cleared, and refuses its XCom calls', async () => {
    const xcoms = new GateXComBackend();
    xcoms.clear = () => Promise.reject(Object.assign(new Error('the store is read-only'), { name: 'StoreUnavailableError' }));
    const executor = new LocalExecutor({ xcoms, logsFolder: fx.logsFolder, poolSize: 1, killGraceMs: 2000 });
    open.push(executor);
    const log = new EventLog(executor);
    executor.queue(workload(fx.dagFile, 'upstream', { runId: 'clear_fails' }));
    expect((await log.finished('upstream')).outcome).toMatchObject({ state: 'failed', retryable: true, error: { name: 'StoreUnavailableError' } });
    // The task's own push (its return value) never reached the backend.
    expect(await xcoms.pull({ dagId: 'suite', runId: 'clear_fails', taskId: 'upstream', key: 'return_value' })).toBeUndefined();
    // A task that makes no XCom call at all does not end well either: its earlier XComs may still be there.
    executor.queue(workload(fx.dagFile, 'skips', { runId: 'clear_fails' }));
    expect((await log.finished('skips')).outcome).toMatchObject({ state: 'failed', retryable: true, error: { name: 'StoreUnavailableError' } });
  });

  it('starts a try on a runner booted before it was queued, and with one try per runner, a new runner for the next try', async () => {
    const { executor, log } = start({ poolSize: 1, parallelism: 1, maxTriesPerRunner: 1 });
    await executor.whenWarm();
    const warmBefore = executor.warmRunnerPids;
    expect(warmBefore).toHaveLength(1);
    executor.queue(workload(fx.dagFile, 'skips'));
    const first = await log.started('skips');
    expect(warmBefore).toContain(first.pid);
    await log.finished('skips');
    await executor.whenWarm();
    const warmNext = executor.warmRunnerPids;
    expect(warmNext).not.toContain(first.pid);
    executor.queue(workload(fx.dagFile, 'fails'));
    const second = await log.started('fails');
    expect(warmNext).toContain(second.pid);
    expect(isAlive(first.pid)).toBe(false);
  });

  it('forks a runner for each try when the pool is off and runners run one try', async () => {
    const { executor, log } = start({ poolSize: 0, maxTriesPerRunner: 1 });
    await executor.whenWarm();
    expect(executor.warmRunnerPids).toEqual([]);
    executor.queue(workload(fx.dagFile, 'skips'));
    executor.queue(workload(fx.dagFile, 'fails'));
    const pids = [(await log.started('skips')).pid, (await log.started('fails')).pid];
    await Promise.all([log.ended('skips'), log.ended('fails')]);
    expect(new Set(pids).size).toBe(2);
  });

  it('leaves no runner process behind after end()', async () => {
    const { executor, log } = start({ poolSize: 2 });
    await executor.whenWarm();
    const pids = new Set(executor.warmRunnerPids);
    executor.queue(workload(fx.dagFile, 'skips'));
    executor.queue(workload(fx.dagFile, 'fails'));
    pids.add((await log.started('skips')).pid);
    pids.add((await log.started('fails')).pid);
    await Promise.all([log.ended('skips'), log.ended('fails')]);
    // The pool refilled in the background; those runners must go too.
    for (const pid of executor.warmRunnerPids) pids.add(pid);
    await executor.end();
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect([...pids].filter(isAlive)).toEqual([]);
    expect(executor.warmRunnerPids).toEqual([]);
  });

  it("leaves no runner behind when the executor's process dies, even one whose task blocks its main thread", async () => {
    const script = join(fx.logsFolder, 'owner.mts');
    writeFileSync(
      script,
      `const { LocalExecutor, MemoryXComBackend } = await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '../../src/index.ts')).href)});
const executor = new LocalExecutor({ xcoms: new MemoryXComBackend(), logsFolder: ${JSON.stringify(fx.logsFolder)}, poolSize: 1 });
const { readFileSync, watch } = await import('node:fs');
// Log events may wait for the runner's event loop, which the task blocks; its log file is written at once.
const logFile = ${JSON.stringify(join(fx.logsFolder, 'dag_id=suite', 'run_id=orphaned', 'task_id=spins_loudly', 'attempt=1.log'))};
executor.onEvent((e) => {
  if (e.type !== 'started') return;
  let told = false;
  const check = () => {
    if (told || !readFileSync(logFile, 'utf8').includes('spinning')) return;
    told = true;
    console.log(JSON.stringify({ busy: e.pid, idle: executor.warmRunnerPids }));
  };
  watch(logFile, check);
  check();
});
await executor.whenWarm();
executor.queue(${JSON.stringify(workload(fx.dagFile, 'spins_loudly', { runId: 'orphaned', run: { runType: 'manual', logicalDate: null, dataInterval: null, conf: {} } }))});
`,
    );
    const owner = spawn(process.execPath, ['--conditions=source', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Also when the test times out waiting, which a finally block would not see.
    onTestFinished(() => {
      owner.kill('SIGKILL');
    });
    const [line] = (await once(createInterface({ input: owner.stdout }), 'line')) as [string];
    const { busy, idle } = JSON.parse(line) as { busy: number; idle: number[] };
    const runners = [busy, ...idle];
    expect(runners.every(isAlive)).toBe(true);
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    // Runners are not this process's children: their end is watched for, within a bound.
    const deadline = Date.now() + 20_000;
    while (runners.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runners.filter(isAlive)).toEqual([]);
  });

  const distEntry = resolve(import.meta.dirname, '../../dist/runner/child.js');
  it.skipIf(!existsSync(distEntry))('runs the built runner when the executor runs from dist', async () => {
    // The built module, so the executor finds the runner next to itself in dist, as it does in production.
    const dist = (await import(pathToFileURL(resolve(import.meta.dirname, '../../dist/index.js')).href)) as { LocalExecutor: typeof LocalExecutor };
    const xcoms = new GateXComBackend();
    const executor = new dist.LocalExecutor({ xcoms, logsFolder: fx.logsFolder, poolSize: 0 });
    const log = new EventLog(executor);
    try {
      executor.queue(workload(fx.dagFile, 'upstream', { runId: 'from_dist' }));
      expect((await log.finished('upstream')).outcome).toEqual({ state: 'success', returnValue: 20 });
    } finally {
      await executor.end();
    }
  });
});
