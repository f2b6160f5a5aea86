import { createHash } from 'node:crypto';

/** The retry settings of one task, in milliseconds. */
export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  /** Upper bound of an exponential backoff (ignored without one, as in Airflow); null for none. */
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

/** Airflow's ceiling on an exponential backoff (`MAX_RETRY_DELAY`, one day), in seconds. */
const MAX_BACKOFF_SECONDS = 24 * 60 * 60;

/**
 * The delay before the next try, by Airflow's `next_retry_datetime` formula. Without exponential backoff it is
 * `retryDelay`, and `maxRetryDelay` plays no part (as in Airflow). With it, `minBackoff = max(1,
 * ceil(retryDelaySeconds * 2^(tryNumber-1)))` seconds plus a deterministic jitter `sha1(dagId#taskId#logicalDate#
 * tryNumber) mod minBackoff`, capped at one day and then at `maxRetryDelay` when that is set and above zero.
 */
export function retryDelayMs(policy: RetryPolicy, key: RetryKey): number {
  if (!policy.retryExponentialBackoff) return policy.retryDelayMs;
  const minBackoff = Math.max(1, Math.ceil((policy.retryDelayMs / 1000) * 2 ** (key.tryNumber - 1)));
  let seconds: number;
  if (minBackoff >= MAX_BACKOFF_SECONDS) {
    // The jitter only adds, so the cap wins whatever the hash; this also keeps huge values out of BigInt.
    seconds = MAX_BACKOFF_SECONDS;
  } else {
    const digest = createHash('sha1').update(`${key.dagId}#${key.taskId}#${pythonDate(key.logicalDate)}#${key.tryNumber}`).digest('hex');
    seconds = Math.min(minBackoff + Number(BigInt(`0x${digest}`) % BigInt(minBackoff)), MAX_BACKOFF_SECONDS);
  }
  const delayMs = seconds * 1000;
  return policy.maxRetryDelayMs !== null && policy.maxRetryDelayMs > 0 ? Math.min(delayMs, policy.maxRetryDelayMs) : delayMs;
}

/**
 * Python's `str(datetime)` of a UTC time, which Airflow hashes: the logical date as read back from the metadata
 * database, a `datetime` in UTC (`2025-01-01 00:00:00+00:00`, microseconds only when not zero), or `None`.
 */
function pythonDate(d: Date | null): string {
  if (d === null) return 'None';
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}
