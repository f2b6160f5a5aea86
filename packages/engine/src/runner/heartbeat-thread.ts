import { Worker } from 'node:worker_threads';
import { HEARTBEAT_FD } from './protocol.js';

/**
 * The heartbeat thread's code, plain CommonJS so it runs the same from dist and from source. Its clock ticks every
 * heartbeat interval, and it writes one byte to the heartbeat pipe at each tick that finds a try running (a flag
 * in shared memory, so starting and stopping a try wakes no thread). It also watches for the parent's death (the
 * parent pid changes, or the pipe breaks) and then kills this process: a task busy on the main thread never sees
 * the IPC channel close, and must not outlive the executor that would have timed it out.
 */
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const running = new Int32Array(workerData.running);
const orphaned = () => process.kill(process.pid, 'SIGKILL');
setInterval(() => { if (process.ppid !== workerData.ppid) orphaned(); }, workerData.watchMs);
let clock = null;
parentPort.on('message', (m) => {
  clearInterval(clock);
  clock = setInterval(() => {
    if (Atomics.load(running, 0) === 0) return;
    try { writeSync(workerData.fd, 'h'); }
    catch (e) { if (e.code !== 'EAGAIN') orphaned(); }
  }, m.intervalMs);
});
`;

/** Handle on the heartbeat thread. */
export interface HeartbeatThread {
  /** Beats every `intervalMs` from now on, the first beat within one interval. */
  start(intervalMs: number): void;
  /** Stops beating (between two tries); the parent watch goes on. */
  stop(): void;
}

/** Starts the thread; it does not keep the process alive. */
export function startHeartbeatThread(): HeartbeatThread {
  const running = new Int32Array(new SharedArrayBuffer(4));
  // execArgv [] keeps a source-mode `--import tsx` out of the thread: it needs no loader and boots faster.
  const worker = new Worker(CODE, { eval: true, execArgv: [], workerData: { fd: HEARTBEAT_FD, ppid: process.ppid, watchMs: 1000, running: running.buffer } });
  worker.unref();
  let clockMs = 0;
  return {
    start: (intervalMs) => {
      // The interval is the executor's, the same for every try: the clock is set once.
      if (intervalMs !== clockMs) worker.postMessage({ intervalMs });
      clockMs = intervalMs;
      Atomics.store(running, 0, 1);
    },
    stop: () => Atomics.store(running, 0, 0),
  };
}
