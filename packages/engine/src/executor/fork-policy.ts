/** What the LocalExecutor knows when it decides whether waiting tries get new runners. */
export interface ForkState {
  /** How long each waiting try no booting runner will take has waited, oldest first (ms). */
  waitedMs: readonly number[];
  /** How long a try waits before it may get a runner of its own: about a boot's time, or 0 when no runner is busy. */
  waitMs: number;
  /** Time between two waiting tries getting a busy runner lately (ms); null before any did. */
  drainMs: number | null;
  /** Time since a waiting try last got a runner, or since the wait began to fill (ms). */
  sinceDrainMs: number;
  /** Runners alive (idle, booting, busy) and the most there may be. */
  runners: number;
  maxRunners: number;
  /** Runners booting, and the most that may boot at once. */
  booting: number;
  maxBooting: number;
}

/**
 * How many runners to fork now. A waiting try gets one only once it has waited `waitMs`, and only if the busy
 * runners would not reach it within `waitMs` either, at the pace they have been taking waiting tries (a pace that
 * slows while none is taken): short tries then share a few runners instead of booting one each, since a runner that
 * runs short tries drains a deep queue faster than a new one boots, while long tries pay at most one boot time
 * more than forking at once. Never more runners than `maxRunners`, nor boots than `maxBooting`.
 */
export function runnersToFork(s: ForkState): number {
  const drain = s.waitMs === 0 || s.drainMs === null ? Infinity : Math.max(s.drainMs, s.sinceDrainMs);
  let forks = 0;
  s.waitedMs.forEach((waited, i) => {
    const servedSoon = (i + 1) * drain < s.waitMs;
    if (waited >= s.waitMs && !servedSoon && s.runners + forks < s.maxRunners && s.booting + forks < s.maxBooting) forks++;
  });
  return forks;
}
