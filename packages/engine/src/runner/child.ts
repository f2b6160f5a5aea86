/**
 * Entry point of a task runner process, forked by the LocalExecutor. It boots (the engine's modules loaded),
 * says `ready`, waits for one `run`, runs that try, reports it and exits: one process per try, so a try never
 * inherits what an earlier one left in memory. Not a public module: it acts on import.
 */
import { hostname } from 'node:os';
import { TaskTerminatedError } from '../executor/errors.js';
import type { LogSource } from '../executor/contract.js';
import { toTryError, type TryOutcome } from '../run-try.js';
import type { LogRecord } from '../task-logger.js';
import { captureOutput } from './capture-output.js';
import { executeTry } from './execute.js';
import { startHeartbeatThread } from './heartbeat-thread.js';
import { IpcXComBackend } from './ipc-xcom.js';
import { TryLogFile } from './log-file.js';
import type { FromRunner, ToRunner } from './protocol.js';

type RunMessage = Extract<ToRunner, { type: 'run' }>;

const sendToParent = process.send?.bind(process);
if (!sendToParent) {
  process.stderr.write('updraft task runner: this file is started by the LocalExecutor (child_process.fork with IPC), not directly\n');
  process.exit(2);
}

function send(m: FromRunner, then?: () => void): void {
  if (!process.connected) return then?.();
  (sendToParent as NonNullable<typeof sendToParent>)(m, undefined, undefined, () => then?.());
}

// The parent died or released this runner: nothing else will ever come.
process.on('disconnect', () => process.exit(0));

const heartbeat = startHeartbeatThread();
const xcoms = new IpcXComBackend((m) => send(m));
let running = false;

process.on('message', (raw: ToRunner) => {
  if (raw.type === 'xcom-result') xcoms.receive(raw);
  else if (raw.type === 'run' && !running) {
    running = true;
    void runOne(raw);
  }
});

send({ type: 'ready' });

async function runOne(m: RunMessage): Promise<void> {
  const startedAt = new Date();
  send({ type: 'started', pid: process.pid, hostname: hostname(), at: startedAt });
  heartbeat.start(m.heartbeatIntervalMs);
  let file: TryLogFile | null = null;
  let fileError: unknown = null;
  try {
    file = new TryLogFile(m.logFile);
  } catch (e) {
    fileError = e;
  }
  const write = (source: LogSource, record: LogRecord): void => {
    file?.write(record);
    send({ type: 'log', source, record });
  };
  const flushOutput = captureOutput((source, line) => write(source, { at: new Date(), level: source === 'stdout' ? 'info' : 'warn', message: line }));
  const log = (source: LogSource, record: LogRecord): void => {
    // Output written without a newline before this line was written before it, and goes first.
    if (source !== 'stdout' && source !== 'stderr') flushOutput();
    write(source, record);
  };

  let reported = false;
  const finish = (outcome: TryOutcome): void => {
    if (reported) return;
    reported = true;
    flushOutput();
    file?.close();
    // Exit without waiting for the event loop to drain: a task may leave timers or sockets open.
    send({ type: 'finished', outcome, startedAt, endedAt: new Date() }, () => process.exit(0));
  };

  const controller = new AbortController();
  process.on('SIGTERM', () => {
    log('executor', { at: new Date(), level: 'warn', message: 'Received SIGTERM: aborting the task (ctx.signal)' });
    controller.abort(new TaskTerminatedError(m.workload.taskId, 'its runner received SIGTERM'));
  });
  // An error thrown where the task cannot catch it (a stray callback, an unhandled rejection) fails the try.
  process.on('uncaughtException', (e) => {
    log('executor', { at: new Date(), level: 'error', message: `Uncaught exception in the task: ${e.stack ?? String(e)}` });
    finish({ state: 'failed', error: toTryError(e), retryable: true });
  });

  if (fileError !== null) {
    log('executor', { at: new Date(), level: 'error', message: `Cannot write the log file ${m.logFile}: ${fileError instanceof Error ? fileError.message : 'unknown error'}` });
    return finish({ state: 'failed', error: toTryError(fileError), retryable: true });
  }
  finish(await executeTry({ workload: m.workload, xcoms, xcomSizeLimitBytes: m.xcomSizeLimitBytes, onLog: log, signal: controller.signal }));
}
