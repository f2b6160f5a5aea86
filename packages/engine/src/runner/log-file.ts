import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatLogRecord, type LogRecord } from '../task-logger.js';

/**
 * A try's log file, written line by line as the try runs. Writes are synchronous so that a line logged just
 * before the process dies (`process.exit`, a fatal error) is on disk.
 */
export class TryLogFile {
  readonly path: string;
  #fd: number | null;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    // Append: the owner may run the same attempt again after a lost runner, and the first part stays readable.
    this.#fd = openSync(path, 'a');
  }

  write(record: LogRecord): void {
    if (this.#fd !== null) writeSync(this.#fd, `${formatLogRecord(record)}\n`);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/** Appends one line to a try's log from another process than the runner's (the executor's own notes). */
export function appendLogRecord(path: string, record: LogRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${formatLogRecord(record)}\n`);
}
