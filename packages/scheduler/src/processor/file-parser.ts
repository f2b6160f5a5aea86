import { type ChildProcess, fork } from 'node:child_process';
import type { SerializedDag } from '@updraft/core';
import { childEntry } from '../child-entry.js';
import type { FileImportError, ParseChildMessage } from './protocol.js';

/** What parsing one file gave. */
export interface FileParseResult {
  file: string;
  dags: SerializedDag[];
  error: FileImportError | null;
  durationMs: number;
}

/**
 * One parse child process, used for one file at a time. A file that does not finish within the timeout, or that
 * ends the child (process.exit, a crash), becomes an import error, and the next parse gets a fresh child. The child
 * is also replaced after `maxParses` files, since re-imported modules stay in its memory.
 */
export class FileParser {
  #child: ChildProcess | null = null;
  #ready: Promise<ChildProcess> | null = null;
  #parses = 0;
  #nextId = 1;
  #busy = false;

  constructor(private readonly options: { timeoutMs: number; maxParses: number }) {}

  /** Imports `file` in the child. Never rejects for a problem of the file. Not re-entrant: one file at a time. */
  async parse(file: string): Promise<FileParseResult> {
    if (this.#busy) throw new Error('FileParser.parse is not re-entrant');
    this.#busy = true;
    const started = performance.now();
    try {
      if (this.#parses >= this.options.maxParses) this.#kill();
      const child = await this.#start();
      this.#parses++;
      const id = this.#nextId++;
      return await new Promise<FileParseResult>((resolve) => {
        const fail = (message: string): void => {
          cleanup();
          this.#kill();
          resolve({ file, dags: [], error: { message, line: null, stack: null }, durationMs: performance.now() - started });
        };
        const onMessage = (m: ParseChildMessage): void => {
          if (m.type !== 'result' || m.id !== id) return;
          cleanup();
          resolve({ file, dags: m.dags, error: m.error, durationMs: m.durationMs });
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
          fail(`importing the file ended the parse process (${signal ? `signal ${signal}` : `exit code ${code}`}), e.g. by calling process.exit()`);
        const timer = setTimeout(() => fail(`importing the file took longer than ${this.options.timeoutMs} ms (dag file parse timeout): an endless loop or a hanging call at import?`), this.options.timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ type: 'parse', id, file });
      });
    } finally {
      this.#busy = false;
    }
  }

  /** Stops the child process. */
  close(): void {
    this.#kill();
  }

  #start(): Promise<ChildProcess> {
    if (this.#ready) return this.#ready;
    const entry = childEntry(import.meta.url, 'parse-child');
    const child = fork(entry.file, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced' });
    this.#child = child;
    this.#parses = 0;
    this.#ready = new Promise((resolve, reject) => {
      const onMessage = (m: ParseChildMessage): void => {
        if (m.type === 'ready') {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(child);
        }
      };
      const onExit = (code: number | null): void => {
        this.#ready = null;
        this.#child = null;
        reject(new Error(`the DAG parse process exited before it was ready (code ${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.once('exit', () => {
      if (this.#child === child) {
        this.#child = null;
        this.#ready = null;
      }
    });
    return this.#ready;
  }

  #kill(): void {
    const child = this.#child;
    this.#child = null;
    this.#ready = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
