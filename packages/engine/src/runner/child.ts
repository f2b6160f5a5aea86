/**
 * Entry point of a task runner process, forked by the LocalExecutor. It boots (the engine's modules loaded), says
 * `ready`, and runs the tries it is sent one after another, each with its own log file, output capture, XCom
 * channel and abort signal, until its recycling policy says it has done enough (see ADR-002): then it reports
 * the last try and exits. Not a public module: it acts on import.
 */
import { hostname } from 'node:os';
import { TaskTerminatedError } from '../executor/errors.js';
import type { LogSource } from '../executor/contract.js';
import { DagFileCache, loadDagFile } from '../loader.js';
import { toTryError, type TryOutcome } from '../run-try.js';
import type { LogRecord } from '../task-logger.js';
import { captureOutput } from './capture-output.js';
import { executeTry } from './execute.js';
import { startHeartbeatThread } from './heartbeat-thread.js';
import { IpcXComBackend } from './ipc-xcom.js';
import { ProcessSnapshot, recycleReason, watchEnvironment } from './isolation.js';
import { TryLogFile } from './log-file.js';
import type { FromRunner, RecycleReason, RunnerBatch, ToRunner } from './protocol.js';

type RunMessage = Extract<ToRunner, { type: 'run' }>;

const sendToParent = process.send?.bind(process);
if (!sendToParent) {
  process.stderr.write('updraft task runner: this file is started by the LocalExecutor (child_process.fork with IPC), not directly\n');
  process.exit(2);
}

/** Messages not sent yet, in order. */
let outbox: FromRunner[] = [];
let flushTimer: NodeJS.Timeout | null = null;

/** Log lines wait at most this long for the message that carries them (they are in the log file at once). */
const LOG_FLUSH_MS = 5;

/**
 * Queues a message for the parent. Log lines go within LOG_FLUSH_MS, together with whatever follows them meanwhile,
 * so a short try wakes the parent twice (started; its lines with finished) rather than once per line; every message
 * costs the parent a tenth of a millisecond. `started` goes at once (a task that ends the process at its first line
 * has still started), as do an XCom request (the try waits for its answer) and `finished`, after what was queued
 * before them.
 */
function send(m: FromRunner, then?: () => void): void {
  outbox.push(m);
  if (m.type !== 'log') return flush(then);
  flushTimer ??= setTimeout(() => flush(), LOG_FLUSH_MS);
}

/** Lines queued stay queued for the next message; no timer is left to count as the try's (see ProcessSnapshot). */
function holdLogs(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
}

function flush(then?: () => void): void {
  holdLogs();
  const messages = outbox;
  outbox = [];
  if (!process.connected) return then?.();
  if (messages.length === 0) return then?.();
  const batch: RunnerBatch = { type: 'batch', messages };
  (sendToParent as NonNullable<typeof sendToParent>)(batch, undefined, undefined, () => then?.());
}

/** The try being run, with what its handlers need. */
interface Current {
  seq: number;
  taskId: string;
  controller: AbortController;
  log: (source: LogSource, record: LogRecord) => void;
  finish: (outcome: TryOutcome) => void;
  terminated: boolean;
  uncaught: boolean;
}

// The parent died or released this runner: nothing else will ever come.
process.on('disconnect', () => process.exit(0));

// Before any task code: every try's changes to the environment are noted as they are made (see ProcessSnapshot).
watchEnvironment();

const heartbeat = startHeartbeatThread();
const xcoms = new IpcXComBackend();
let current: Current | null = null;
/** From the `run` message until the try is reported; `current` is set once the try has started. */
let busy = false;
/** A `run` that came while a try ran: started as soon as that try is reported (see ADR-004). */
let held: RunMessage | null = null;
let tries = 0;
let preloading: Promise<unknown> = Promise.resolve();
/** What every try puts back: the environment and working directory as the first try found them. */
let snapshot: ProcessSnapshot | null = null;
/** DAGs built for earlier tries, by file, while the file's code is unchanged (ADR-003). */
const dagFiles = new DagFileCache();

// Installed once, for the runner's life: each routes to the try that runs, if any.
process.on('SIGTERM', () => {
  const c = current;
  // Between tries there is nothing to stop gracefully.
  if (!c) process.exit(0);
  c.terminated = true;
  c.log('executor', { at: new Date(), level: 'warn', message: 'Received SIGTERM: aborting the task (ctx.signal)' });
  c.controller.abort(new TaskTerminatedError(c.taskId, 'its runner received SIGTERM'));
});
// An error thrown where the task cannot catch it (a stray callback, an unhandled rejection) fails the try; one
// that comes between tries belongs to an earlier try, and the process is no longer one to trust.
process.on('uncaughtException', (e) => {
  const c = current;
  if (!c) {
    process.stderr.write(`updraft task runner: uncaught exception between tries, exiting: ${e.stack ?? String(e)}\n`);
    process.exit(1);
  }
  c.uncaught = true;
  c.log('executor', { at: new Date(), level: 'error', message: `Uncaught exception in the task: ${e.stack ?? String(e)}` });
  c.finish({ state: 'failed', error: toTryError(e), retryable: true });
});

process.on('message', (raw: ToRunner) => {
  if (raw.type === 'xcom-result') xcoms.receive(raw);
  else if (raw.type === 'run') {
    if (!busy) {
      busy = true;
      void runOne(raw);
    } else held ??= raw;
  } else if (raw.type === 'cancel') {
    if (held?.seq === raw.seq) {
      held = null;
      send({ type: 'cancelled', seq: raw.seq });
    }
  } else if (raw.type === 'preload' && !busy) preloading = preload(raw.dagFile, raw.reuseDags);
});

send({ type: 'ready' });

/** Imports a DAG file ahead of its try, so that the modules it imports are loaded; what it prints is dropped. */
async function preload(dagFile: string, reuseDags: boolean): Promise<void> {
  await preloading;
  const output = captureOutput(() => undefined);
  try {
    await (reuseDags ? dagFiles.load(dagFile) : loadDagFile(dagFile));
  } catch {
    // The try imports the file again and reports what is wrong with it.
  } finally {
    output.restore();
  }
}

async function runOne(m: RunMessage): Promise<void> {
  // The try imports the same file: what the preload loaded is not lost, and the two captures never nest.
  await preloading;
  const startedAt = new Date();
  const seq = m.seq;
  tries += 1;
  if (snapshot) snapshot.recount();
  else snapshot = new ProcessSnapshot();
  const snap = snapshot;
  xcoms.bind((msg) => send(msg), seq);
  let file: TryLogFile | null = null;
  let fileError: unknown = null;
  try {
    file = new TryLogFile(m.logFile);
  } catch (e) {
    fileError = e;
  }
  // After the log file exists: whoever sees the try start can open its log.
  send({ type: 'started', seq, pid: process.pid, hostname: hostname(), at: startedAt });
  heartbeat.start(m.heartbeatIntervalMs);
  const write = (source: LogSource, record: LogRecord): void => {
    file?.write(record);
    send({ type: 'log', seq, source, record });
  };
  const output = captureOutput((source, line) => write(source, { at: new Date(), level: source === 'stdout' ? 'info' : 'warn', message: line }));
  const log = (source: LogSource, record: LogRecord): void => {
    // Output written without a newline before this line was written before it, and goes first.
    if (source !== 'stdout' && source !== 'stderr') output.flush();
    write(source, record);
  };

  let reported = false;
  const finish = (outcome: TryOutcome): void => {
    if (reported) return;
    reported = true;
    const c = current as Current;
    // The lines go with `finished`; their timer must not count as a handle the try left.
    holdLogs();
    const cleanOutput = output.restore();
    file?.close();
    heartbeat.stop();
    snap.restore();
    xcoms.unbind();
    const exiting: RecycleReason | null = recycleReason(
      m.recycle,
      tries,
      { terminated: c.terminated, uncaught: c.uncaught, leftovers: !cleanOutput || snap.leftHandles() },
      process.memoryUsage.rss(),
    );
    current = null;
    busy = false;
    const finished: FromRunner = { type: 'finished', seq, outcome, startedAt, endedAt: new Date(), exiting };
    const next = held;
    held = null;
    if (exiting === null && next !== null) {
      // The held try starts now, and its `started` carries this `finished` with it: one message, one wakeup of
      // the parent, for the two.
      outbox.push(finished);
      busy = true;
      void runOne(next);
      return;
    }
    // Exit without waiting for the event loop to drain: a task may leave timers or sockets open. A held try is
    // dropped: the parent gives it to another runner when it reads `exiting`.
    send(finished, exiting === null ? undefined : () => process.exit(0));
  };

  const controller = new AbortController();
  current = { seq, taskId: m.workload.taskId, controller, log, finish, terminated: false, uncaught: false };

  if (fileError !== null) {
    log('executor', { at: new Date(), level: 'error', message: `Cannot write the log file ${m.logFile}: ${fileError instanceof Error ? fileError.message : 'unknown error'}` });
    return finish({ state: 'failed', error: toTryError(fileError), retryable: true });
  }
  const outcome = await executeTry({
    workload: m.workload,
    xcoms,
    xcomSizeLimitBytes: m.xcomSizeLimitBytes,
    onLog: log,
    signal: controller.signal,
    // The executor cleared the try's earlier XComs when it launched the try.
    clearXComs: false,
    ...(m.reuseDags ? { dagFiles } : {}),
  });
  // Let callbacks the task queued without awaiting them run now, so what they hold shows as left handles.
  await new Promise((resolve) => setImmediate(resolve));
  finish(outcome);
}
