/** How far down the waiting tries a free runner looks for one of a DAG file it has imported. */
export const AFFINITY_WINDOW = 8;

/** How many times a waiting try may be passed over for a later one that suits the free runner better. */
export const MAX_PASSED_OVER = 4;

/** What the choice needs of a waiting try. */
export interface Waiting {
  dagFile: string;
  /** How many later tries got a runner before it. */
  passedOver: number;
}

/**
 * Which waiting try a free runner takes (an index into `waiting`, oldest first; -1 when none waits): the oldest,
 * or, among the next AFFINITY_WINDOW, the oldest of a DAG file the runner has imported already, since importing a
 * file costs a runner milliseconds, more than a short try. A try passed over MAX_PASSED_OVER times is taken next,
 * so none waits long for runners that suit others. The caller counts a pass-over for each try before the chosen one.
 */
export function pickWaiting(waiting: readonly Waiting[], imported: (dagFile: string) => boolean): number {
  const oldest = waiting[0];
  if (!oldest) return -1;
  if (oldest.passedOver >= MAX_PASSED_OVER || imported(oldest.dagFile)) return 0;
  const window = Math.min(waiting.length, AFFINITY_WINDOW);
  for (let i = 1; i < window; i++) if (imported((waiting[i] as Waiting).dagFile)) return i;
  return 0;
}
