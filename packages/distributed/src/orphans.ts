import { TaskInstanceState } from '@updraft/core';
import type { MetadataStore } from '@updraft/store';
import type { Queue } from 'bullmq';
import { bullQueueName, tryJobId } from './wire.js';

/**
 * Task instances queued in the store for longer than `olderThanMs` whose job is in no queue (Redis lost it while
 * no scheduler held the try, or a scheduler died between its claim and the job): each goes back to scheduled, with
 * a compare-and-set on its try number, for a scheduler to queue it again. The job id of a try never changes, so a
 * job that turns up meanwhile makes the new queueing a no-op. Returns how many were put back.
 */
export async function sweepOrphans(store: MetadataStore, queueOf: (name: string) => Queue, now: Date, olderThanMs: number): Promise<number> {
  const queued = (await store.listTaskInstances({ states: [TaskInstanceState.QUEUED] })).items;
  let swept = 0;
  for (const ti of queued) {
    if (!ti.externalExecutorId?.startsWith('BullMqExecutor') || !ti.queuedDttm || now.getTime() - ti.queuedDttm.getTime() < olderThanMs) continue;
    const state = await queueOf(bullQueueName(ti.queue)).getJobState(tryJobId(ti));
    if (state !== 'unknown') continue;
    const back = await store.transitionTaskInstance(ti, {
      from: [TaskInstanceState.QUEUED],
      to: TaskInstanceState.SCHEDULED,
      tryNumber: ti.tryNumber,
      patch: { externalExecutorId: null, queuedDttm: null },
    });
    if (back) swept++;
  }
  return swept;
}
