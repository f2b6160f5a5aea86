import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidWorkloadError, tryLogPath } from '../../src/index.js';

const key = { dagId: 'etl', runId: 'scheduled__2025-01-01T00:00:00+00:00', taskId: 'load', tryNumber: 2 };

describe('tryLogPath', () => {
  it("lays logs out as Airflow does, keeping the run id's ':' and '+' as they are", () => {
    expect(tryLogPath('/var/logs', key)).toBe(join('/var/logs', 'dag_id=etl', 'run_id=scheduled__2025-01-01T00:00:00+00:00', 'task_id=load', 'attempt=2.log'));
  });

  it.each([
    ['runId', 'a/b'],
    ['runId', '..'],
    ['runId', 'x..y'],
    ['runId', '.'],
    ['runId', 'a\\b'],
    ['runId', 'nul\0byte'],
    ['runId', ''],
    ['runId', 'r'.repeat(249)],
    ['dagId', '..'],
    ['taskId', '../up'],
  ])('refuses %s %j, which could not name one folder inside the logs folder', (field, value) => {
    let error: unknown = null;
    try {
      tryLogPath('/var/logs', { ...key, [field]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidWorkloadError);
    expect((error as InvalidWorkloadError).field).toBe(field);
  });
});
