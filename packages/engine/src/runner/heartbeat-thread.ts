import { Worker } from 'node:worker_threads';
import { HEARTBEAT_FD } from './protocol.js';

/**
 * The heartbeat thread's code, plain CommonJS so it runs the same from dist and from source. It writes one byte
 * to the heartbeat pipe per beat while a try runs. It also watches for the parent's death (the parent pid changes,
 * or the pipe breaks) and then kills this process: a task busy on the main thread never sees the IPC channel
 * close, and must not outlive the executor that would have timed it out.
 */
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const orphaned = () => process.kill(process.pid, 'SIGKILL');
setInterval(() => { if (process.ppid !== workerData.ppid) orphaned(); }, workerData.watchMs);
let beating = null;
parentPort.on('message', (m) => {
  clearInterval(beating);
  beating = null;
  if (m.intervalMs > 0) {
    beating = setInterval(() => {
      try { writeSync(workerData.fd, 'h'); }
      catch (e) { if (e.code !== 'EAGAIN') orphaned(); }
    }, m.intervalMs);
  }
});
`;

/** Handle on the heartbeat thread. */
export interface HeartbeatThread {
  /** Starts beating every `intervalMs`; the first beat comes one interval after the start. */
  start(intervalMs: number): void;
  /** Stops beating (between two tries); the parent watch goes on. */
  stop(): void;
}

/** Starts the thread; it does not keep the process alive. */
export function startHeartbeatThread(): HeartbeatThread {
  // execArgv [] keeps a source-mode `--import tsx` out of the thread: it needs no loader and boots faster.
  const worker = new Worker(CODE, { eval: true, execArgv: [], workerData: { fd: HEARTBEAT_FD, ppid: process.ppid, watchMs: 1000 } });
  worker.unref();
  return {
    start: (intervalMs) => worker.postMessage({ intervalMs }),
    stop: () => worker.postMessage({ intervalMs: 0 }),
  };
}
