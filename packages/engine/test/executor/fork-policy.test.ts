import { describe, expect, it } from 'vitest';
import { type ForkState, runnersToFork } from '../../src/executor/fork-policy.js';

const state = (o: Partial<ForkState>): ForkState => ({
  waitedMs: [],
  waitMs: 300,
  drainMs: null,
  sinceDrainMs: 0,
  runners: 2,
  maxRunners: 32,
  booting: 0,
  maxBooting: 2,
  ...o,
});

describe('runnersToFork', () => {
  it('forks for tries that waited a boot time while the busy runners took none yet', () => {
    expect(runnersToFork(state({ waitedMs: [400, 350, 100] }))).toBe(2);
  });

  it('forks none while the busy runners take waiting tries faster than a runner boots', () => {
    // 30 tries waiting, one taken every 2 ms: the last is reached in 60 ms, a boot takes 300.
    expect(runnersToFork(state({ waitedMs: Array.from({ length: 30 }, () => 400), drainMs: 2, sinceDrainMs: 1 }))).toBe(0);
  });

  it('forks for the tries the busy runners would reach only after a boot time', () => {
    // One taken every 100 ms: the first two are reached within 300 ms, the others are not.
    expect(runnersToFork(state({ waitedMs: [400, 400, 400, 400], drainMs: 100, sinceDrainMs: 50, maxBooting: 8 }))).toBe(2);
  });

  it('takes a pace that stopped (no try taken for long) as slow as the time since', () => {
    expect(runnersToFork(state({ waitedMs: [5000], drainMs: 2, sinceDrainMs: 5000 }))).toBe(1);
  });

  it('forks at once when no runner is busy, and never past the runner and boot limits', () => {
    expect(runnersToFork(state({ waitedMs: [0, 0, 0], waitMs: 0, drainMs: 1, runners: 0 }))).toBe(2);
    expect(runnersToFork(state({ waitedMs: [400, 400, 400], runners: 31 }))).toBe(1);
    expect(runnersToFork(state({ waitedMs: [400, 400, 400], booting: 1 }))).toBe(1);
  });
});
