import { format } from 'node:util';
import type { TaskLogger } from '@updraft/core';

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One line of a try's log. */
export interface LogRecord {
  at: Date;
  level: LogLevel;
  message: string;
}

/** Makes a {@link TaskLogger} that formats arguments like `console.log` and hands each record to `sink`. */
export function createTaskLogger(sink: (record: LogRecord) => void, now: () => Date = () => new Date()): TaskLogger {
  const emit = (level: LogLevel) => (message: string, ...args: unknown[]) => sink({ at: now(), level, message: format(message, ...args) });
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Formats a record as a log file line, in Airflow's shape: `[2025-01-01T00:00:00.000Z] INFO - message`. */
export function formatLogRecord(r: LogRecord): string {
  return `[${r.at.toISOString()}] ${r.level.toUpperCase()} - ${r.message}`;
}
