import { type ChildProcess, fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { FromRunner, RunnerBatch, ToRunner } from '../runner/protocol.js';
import { HEARTBEAT_FD } from '../runner/protocol.js';
import type { RunnerEntry } from './runner-entry.js';

/** What a runner process tells its owner. Calls come in the order things happened. */
export interface RunnerHandlers {
  onMessage(runner: RunnerProcess, message: FromRunner): void;
  /** A line the process wrote to its stdout or stderr pipe (output the runner did not capture itself). */
  onOutput(runner: RunnerProcess, source: 'stdout' | 'stderr', line: string): void;
  onHeartbeat(runner: RunnerProcess): void;
  /** The process is gone and everything it sent has been read. */
  onExit(runner: RunnerProcess, exitCode: number | null, signal: NodeJS.Signals | null): void;
}

/** Stdio of a dead runner may stay open when the task left a process holding it; reading stops this long after exit. */
const STDIO_DRAIN_MS = 200;

const KNOWN_MESSAGES = new Set(['ready', 'cancelled', 'started', 'log', 'xcom', 'finished']);

/** The parent's handle on one forked task runner. */
export class RunnerProcess {
  readonly pid: number | null;
  /** True once the runner said `ready`. */
  isReady = false;
  /** True once the process is gone. */
  exited = false;
  /** Tries handed to this runner so far; each `run` carries the next number. */
  tries = 0;
  /** DAG files this runner imported (for its tries or ahead of them), whose modules it has loaded. */
  readonly dagFiles = new Set<string>();
  readonly #child: ChildProcess;
  #pendingRun: ToRunner | null = null;

  constructor(entry: RunnerEntry, handlers: RunnerHandlers) {
    this.#child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'advanced',
    });
    this.pid = this.#child.pid ?? null;
    const child = this.#child;
    child.on('message', (batch: RunnerBatch) => {
      // Task code can call process.send too; only the protocol's messages are taken.
      if (typeof batch !== 'object' || batch === null || batch.type !== 'batch' || !Array.isArray(batch.messages)) return;
      for (const m of batch.messages) {
        if (typeof m !== 'object' || m === null || !KNOWN_MESSAGES.has((m as { type?: string }).type ?? '')) continue;
        if (m.type === 'ready') {
          this.isReady = true;
          if (this.#pendingRun) this.send(this.#pendingRun);
          this.#pendingRun = null;
        }
        handlers.onMessage(this, m);
      }
    });
    let exitSeen = false;
    child.on('error', () => {
      // A fork that failed (no pid) gets no 'exit'; a failed kill or send changes nothing.
      if (child.pid === undefined && !exitSeen) {
        exitSeen = true;
        this.exited = true;
        queueMicrotask(() => handlers.onExit(this, null, null));
      }
    });
    const streams = [child.stdout, child.stderr, child.stdio[HEARTBEAT_FD]].filter((s): s is Readable => s !== null && s !== undefined);
    const flushes = [
      lines(child.stdout, (line) => handlers.onOutput(this, 'stdout', line)),
      lines(child.stderr, (line) => handlers.onOutput(this, 'stderr', line)),
    ];
    (child.stdio[HEARTBEAT_FD] as Readable | null)?.on('data', () => handlers.onHeartbeat(this));
    const ended = streams.map((s) => new Promise<void>((resolve) => s.once('close', resolve)));
    const disconnected = new Promise<void>((resolve) => (child.connected ? child.once('disconnect', resolve) : resolve()));
    child.once('exit', (code, signal) => {
      exitSeen = true;
      // Messages and output still buffered in the pipes are read before the exit is reported.
      const drained = new Promise<void>((resolve) => setTimeout(resolve, STDIO_DRAIN_MS).unref());
      void Promise.all([disconnected, Promise.race([Promise.all(ended), drained])]).then(() => {
        for (const s of streams) s.destroy();
        for (const flush of flushes) flush();
        this.exited = true;
        handlers.onExit(this, code, signal);
      });
    });
  }

  /** Hands the try to the runner, now or as soon as it is ready. */
  run(message: Extract<ToRunner, { type: 'run' }>): void {
    if (this.isReady) this.send(message);
    else this.#pendingRun = message;
  }

  /** Sends a message; one to a runner that is gone is dropped. */
  send(message: ToRunner): void {
    if (this.#child.connected) this.#child.send(message, () => undefined);
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.#child.kill(signal);
  }

  /** Lets the runner go: an idle runner exits when its IPC channel closes. */
  release(): void {
    if (this.#child.connected) this.#child.disconnect();
  }

  /**
   * Whether this runner keeps the parent's event loop alive. Idle runners do not, so an owner that forgets
   * `end()` can still exit; runners with a try do.
   */
  setRef(ref: boolean): void {
    const handles: ({ ref(): void; unref(): void } | null | undefined)[] = [
      this.#child,
      this.#child.channel,
      ...[this.#child.stdout, this.#child.stderr, this.#child.stdio[HEARTBEAT_FD]].map((s) => s as unknown as { ref(): void; unref(): void } | null),
    ];
    for (const h of handles) {
      if (ref) h?.ref();
      else h?.unref();
    }
  }
}

/** Calls `onLine` for each line of a text stream; the returned function emits a last unfinished line. */
function lines(stream: Readable | null, onLine: (line: string) => void): () => void {
  let pending = '';
  const flush = (): void => {
    if (pending !== '') onLine(pending);
    pending = '';
  };
  if (!stream) return flush;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() as string;
    for (const p of parts) onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
  });
  return flush;
}
