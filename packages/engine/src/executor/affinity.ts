/** How far down the waiting tries a free runner looks for one that suits it. */
export const AFFINITY_WINDOW = 32;

/** A waiting try older than this is taken next, whatever suits the free runner: affinity reorders, never delays long. */
export const MAX_DEFER_MS = 100;

/** What the choice needs of a waiting try. */
export interface Waiting {
  dagFile: string;
  /** How long it has waited (ms). */
  waitedMs: number;
}

/**
 * Which waiting try a free runner takes (an index into `waiting`, oldest first; -1 when none waits). Importing a DAG
 * file costs a runner milliseconds, more than a short try, so among the next AFFINITY_WINDOW tries it takes the
 * oldest of a file it has imported; else the oldest of a file no runner has imported (someone must import it, and
 * the runners then split the files between them instead of each importing all); else the oldest. A try that has
 * waited MAX_DEFER_MS is taken first, so the order changes only among tries that came within that time.
 */
export function pickWaiting(waiting: readonly Waiting[], imported: (dagFile: string) => boolean, importedByAny: (dagFile: string) => boolean): number {
  const oldest = waiting[0];
  if (!oldest) return -1;
  if (oldest.waitedMs >= MAX_DEFER_MS || imported(oldest.dagFile)) return 0;
  const window = Math.min(waiting.length, AFFINITY_WINDOW);
  let fresh = -1;
  for (let i = 1; i < window; i++) {
    const file = (waiting[i] as Waiting).dagFile;
    if (imported(file)) return i;
    if (fresh < 0 && !importedByAny(file)) fresh = i;
  }
  return fresh >= 0 && importedByAny(oldest.dagFile) ? fresh : 0;
}
