import type { ExecutorEvent, TryKey, TryOutcome } from '@updraft/engine';
import type { TryJobResult } from './wire.js';

/**
 * The `finished` or `lost` event a job's result stands for. The worker wrote it into the store: when its result
 * says the write went through, the event is marked `recorded` and the scheduler only learns that the try's slot is
 * free. Otherwise (the store was unreachable for a minute, or an older worker) the scheduler writes it, with the
 * same compare-and-set on the try.
 */
export function endEventOf(key: TryKey, result: unknown, at: Date): ExecutorEvent {
  const r = result as Partial<TryJobResult> | null | undefined;
  if (r?.kind === 'finished' && r.outcome) {
    return {
      type: 'finished',
      key,
      outcome: r.outcome,
      startedAt: new Date(r.startedAt as string),
      endedAt: new Date(r.endedAt as string),
      durationMs: r.durationMs as number,
      ...(r.recorded === true ? { recorded: true as const } : {}),
    };
  }
  if (r?.kind === 'lost') {
    return {
      type: 'lost',
      key,
      at: new Date(r.at as string),
      started: r.started === true,
      pid: r.pid ?? null,
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      ...(r.recorded === true ? { recorded: true as const } : {}),
    };
  }
  if (r?.kind === 'observed') {
    // The try ended under another job or worker (or before this job ran): report what the store says.
    const outcome = observedOutcome(r.state ?? null, key.taskId);
    return { type: 'finished', key, outcome, startedAt: at, endedAt: at, durationMs: 0 };
  }
  return failedJobEvent(key, at);
}

/**
 * The event of a job that failed in the queue (its worker threw, or it stalled more often than allowed): the
 * try is lost, and retried if the task may be.
 */
export function failedJobEvent(key: TryKey, at: Date): ExecutorEvent {
  return { type: 'lost', key, at, started: true, pid: null, exitCode: null, signal: null };
}

function observedOutcome(state: string | null, taskId: string): TryOutcome {
  if (state === 'success') return { state: 'success', returnValue: undefined };
  if (state === 'skipped') return { state: 'skipped', reason: 'recorded by another worker' };
  return {
    state: 'failed',
    retryable: false,
    error: { name: 'TryEndedElsewhereError', message: `task '${taskId}': this try ended elsewhere (${state ?? 'no state'})`, stack: null },
  };
}
