/**
 * Dense ranks of each feature's values (equal values share a rank, ranks ascend with values), computed once per
 * fit so that every node of every tree sorts small integers instead of doubles.
 */

/** `ranks[f * nSamples + i]` is the rank of sample i's value among the distinct values of feature f. */
export function denseRanks(columns: Float64Array, nSamples: number, nFeatures: number): Int32Array {
  const ranks = new Int32Array(nSamples * nFeatures);
  const sorted = new Float64Array(nSamples);
  for (let f = 0; f < nFeatures; f++) {
    const column = columns.subarray(f * nSamples, (f + 1) * nSamples);
    sorted.set(column);
    sorted.sort();
    // Deduplicate in place; -0 and 0 are one value, as for the split thresholds.
    let nDistinct = 0;
    for (let i = 0; i < nSamples; i++) {
      const v = sorted[i] as number;
      if (nDistinct === 0 || v !== sorted[nDistinct - 1]) sorted[nDistinct++] = v;
    }
    for (let i = 0; i < nSamples; i++) {
      const v = column[i] as number;
      let lo = 0;
      let hi = nDistinct - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      ranks[f * nSamples + i] = lo;
    }
  }
  return ranks;
}
