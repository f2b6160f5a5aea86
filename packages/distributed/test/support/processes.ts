import { until as poll } from '../../../../test-support/cli-process.js';

export { bin, type Proc, repo, startCli, stopCli } from '../../../../test-support/cli-process.js';

/** Polls `check` until it returns a truthy value: every 100 ms, for up to two minutes (several processes start). */
export const until = <T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 120_000, everyMs = 100): Promise<T> =>
  poll(what, check, timeoutMs, everyMs);
