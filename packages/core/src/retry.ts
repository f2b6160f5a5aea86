import { createHash } from 'node:crypto';

/** The retry settings of one task, in milliseconds. */
export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  /** Upper bound of the delay; null for none. */
  maxRetryDelayMs: number | null;
}

/** Identifies the try whose failure is being retried; it seeds the backoff's jitter as in Airflow. */
export interface RetryKey {
  dagId: string;
  taskId: string;
  logicalDate: Date | null;
  /** The number of the try that just failed, from 1. */
  tryNumber: number;
}

/**
 * The delay before the next try, by Airflow's `next_retry_datetime` formula: the plain `retryDelay`, or with
 * exponential backoff `ceil(delay * 2^(tryNumber-1))` plus a deterministic jitter below that amount taken from a
 * SHA-1 of the try's identity, both capped by `maxRetryDelay`.
 */
export function retryDelayMs(policy: RetryPolicy, key: RetryKey): number {
  let delayMs = policy.retryDelayMs;
  if (policy.retryExponentialBackoff) {
    const minBackoff = Math.ceil((policy.retryDelayMs / 1000) * 2 ** (key.tryNumber - 1));
    if (minBackoff > 0) {
      const digest = createHash('sha1')
        .update(`${key.dagId}#${key.taskId}#${pythonDate(key.logicalDate)}#${key.tryNumber}`)
        .digest('hex');
      const modded = minBackoff + Number(BigInt(`0x${digest}`) % BigInt(minBackoff));
      delayMs = modded * 1000;
    } else {
      delayMs = 0;
    }
  }
  if (policy.maxRetryDelayMs !== null) delayMs = Math.min(delayMs, policy.maxRetryDelayMs);
  return delayMs;
}

/** Python's `str(datetime)` of a UTC time, which Airflow hashes. */
function pythonDate(d: Date | null): string {
  if (d === null) return 'None';
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}
