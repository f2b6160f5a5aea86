import { describe, expect, it } from 'vitest';
import { createTaskLogger, formatLogRecord, type LogRecord } from '../src/index.js';

describe('task logger', () => {
  it('formats arguments like console.log and stamps each record', () => {
    const records: LogRecord[] = [];
    const at = new Date('2025-01-01T12:00:00.250Z');
    const log = createTaskLogger((r) => records.push(r), () => at);
    log.debug('d');
    log.info('%s has %d rows', 'iris', 150);
    log.warn('object %j', { a: 1 });
    log.error('extra', 'args', 3);
    expect(records).toEqual([
      { at, level: 'debug', message: 'd' },
      { at, level: 'info', message: 'iris has 150 rows' },
      { at, level: 'warn', message: 'object {"a":1}' },
      { at, level: 'error', message: 'extra args 3' },
    ]);
  });

  it('writes log lines in Airflow\'s shape', () => {
    expect(formatLogRecord({ at: new Date('2025-01-01T12:00:00.250Z'), level: 'warn', message: 'careful' })).toBe('[2025-01-01T12:00:00.250Z] WARN - careful');
  });
});
