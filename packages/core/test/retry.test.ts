import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retryDelayMs, type RetryPolicy } from '../src/index.js';

interface RetryCase {
  dagId: string;
  taskId: string;
  logicalDate: string | null;
  pythonLogicalDate: string;
  tryNumber: number;
  retryDelaySeconds: number;
  exponentialBackoff: boolean;
  maxRetryDelaySeconds: number | null;
  expectedSeconds: number;
}

// Expected delays come from Airflow's formula run by Python (see fixtures/generate.py).
const fixture = JSON.parse(readFileSync(new URL('./fixtures/retry.json', import.meta.url), 'utf8')) as { cases: RetryCase[] };

function policy(c: Pick<RetryCase, 'retryDelaySeconds' | 'exponentialBackoff' | 'maxRetryDelaySeconds'>): RetryPolicy {
  return {
    retries: 3,
    retryDelayMs: c.retryDelaySeconds * 1000,
    retryExponentialBackoff: c.exponentialBackoff,
    maxRetryDelayMs: c.maxRetryDelaySeconds === null ? null : c.maxRetryDelaySeconds * 1000,
  };
}

describe('retryDelayMs', () => {
  it('has Python fixtures covering backoff, caps, sub-second delays and dates with and without microseconds', () => {
    expect(fixture.cases.length).toBeGreaterThan(100);
    expect(new Set(fixture.cases.map((c) => c.pythonLogicalDate))).toEqual(
      new Set(['2025-01-01 00:00:00+00:00', '2025-06-15 13:45:30.250000+00:00', 'None']),
    );
  });

  it.each(fixture.cases.map((c) => [`${c.dagId}.${c.taskId} ${c.pythonLogicalDate} try ${c.tryNumber} delay ${c.retryDelaySeconds}s backoff ${c.exponentialBackoff} max ${c.maxRetryDelaySeconds}`, c] as const))(
    '%s',
    (_name, c) => {
      const got = retryDelayMs(policy(c), {
        dagId: c.dagId,
        taskId: c.taskId,
        logicalDate: c.logicalDate === null ? null : new Date(c.logicalDate),
        tryNumber: c.tryNumber,
      });
      expect(got).toBeCloseTo(c.expectedSeconds * 1000, 6);
    },
  );

  it('without backoff is the plain delay, and maxRetryDelay does not shorten it (as in Airflow)', () => {
    const key = { dagId: 'd', taskId: 't', logicalDate: null, tryNumber: 4 };
    expect(retryDelayMs({ retries: 5, retryDelayMs: 120_000, retryExponentialBackoff: false, maxRetryDelayMs: 1000 }, key)).toBe(120_000);
  });

  it('with backoff stays within [base * 2^(try-1), 2 * base * 2^(try-1)) and grows with the try number', () => {
    const base = 10_000;
    for (let tryNumber = 1; tryNumber <= 8; tryNumber++) {
      const min = base * 2 ** (tryNumber - 1);
      const d = retryDelayMs({ retries: 10, retryDelayMs: base, retryExponentialBackoff: true, maxRetryDelayMs: null }, { dagId: 'a', taskId: 'b', logicalDate: new Date('2025-03-01T00:00:00Z'), tryNumber });
      expect(d).toBeGreaterThanOrEqual(min);
      expect(d).toBeLessThan(2 * min);
      expect(d % 1000).toBe(0);
    }
  });

  it('with backoff is deterministic per try and differs between tasks', () => {
    const p: RetryPolicy = { retries: 3, retryDelayMs: 300_000, retryExponentialBackoff: true, maxRetryDelayMs: null };
    const k = { dagId: 'd', taskId: 't', logicalDate: new Date('2025-01-01T00:00:00Z'), tryNumber: 2 };
    expect(retryDelayMs(p, k)).toBe(retryDelayMs(p, { ...k }));
    const others = ['t1', 't2', 't3', 't4', 't5'].map((taskId) => retryDelayMs(p, { ...k, taskId }));
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it('caps the backoff at one day, even for try numbers too large for exact arithmetic', () => {
    const p: RetryPolicy = { retries: 5000, retryDelayMs: 1000, retryExponentialBackoff: true, maxRetryDelayMs: null };
    for (const tryNumber of [18, 60, 2000]) {
      expect(retryDelayMs(p, { dagId: 'd', taskId: 't', logicalDate: null, tryNumber })).toBe(86_400_000);
    }
  });

  it('gives a zero delay a one-second backoff floor', () => {
    const d = retryDelayMs({ retries: 1, retryDelayMs: 0, retryExponentialBackoff: true, maxRetryDelayMs: null }, { dagId: 'd', taskId: 't', logicalDate: null, tryNumber: 1 });
    expect(d).toBe(1000);
  });
});
