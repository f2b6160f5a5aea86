/**
 * Quantising features for the histogram splitter, once per fit. Values are rounded to float32 first (scikit-learn
 * does the same), and every bin edge is itself a float32 value lying between two distinct training values, so that
 * `value <= edge` gives the same answer in float32 and in double: a tree grown on bins predicts exactly as its
 * ONNX export, which compares in float32.
 */

/** Features as bin indices, with the edges that turn a split between bins back into a threshold. */
export interface BinnedFeatures {
  /** Bin index of each value, column-major: `bins[feature * nSamples + sample]`. */
  readonly bins: Uint8Array;
  /** `edges[feature * maxBins + b]`: a value is in bin b or below exactly when it is `<=` this (float32) edge. */
  readonly edges: Float64Array;
  /** Bins in use per feature (the last one has no edge). */
  readonly nBins: Int32Array;
  /** 1 for a feature with one bin per distinct value (bins are then ranks), 0 for one binned by quantiles. */
  readonly exactBins: Uint8Array;
  readonly maxBins: number;
  /** Rank of each value among its feature's distinct float32 values, column-major like `bins`. */
  readonly ranks: Int32Array;
  /** The distinct float32 values of feature f, ascending, from `rankValues[rankOffset[f]]` on. */
  readonly rankValues: Float64Array;
  readonly rankOffset: Int32Array;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest float32 value that is `<= x` (x finite). */
export function floorToFloat32(x: number): number {
  const r = Math.fround(x);
  if (r <= x) return r;
  // r > x: step one float32 towards -Infinity.
  f32[0] = r;
  if (r > 0) i32[0] = (i32[0] as number) - 1;
  else if (r < 0) i32[0] = (i32[0] as number) + 1;
  else i32[0] = 0x80000001 | 0; // the negative subnormal closest to zero
  return f32[0];
}

/** An edge between float32 values `lo < hi`: the largest float32 at or below their midpoint, so `lo <= edge < hi`. */
export function edgeBetween(lo: number, hi: number): number {
  const mid = lo / 2 + hi / 2;
  if (Number.isFinite(mid)) return floorToFloat32(mid);
  // Values beyond the float32 range became infinities: keep the edge finite (model files require it).
  return hi === Infinity ? FLOAT32_MAX : -FLOAT32_MAX;
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Bins each column of column-major `columns` (finite numbers) into at most `maxBins` bins: one bin per distinct
 * float32 value when there are at most `maxBins` of them, otherwise bins of about equal sample counts whose edges
 * fall between distinct values. Also ranks every value among its feature's distinct values, for the exact search
 * in small nodes.
 */
export function binFeatures(columns: Float64Array, nSamples: number, nFeatures: number, maxBins: number): BinnedFeatures {
  const bins = new Uint8Array(nSamples * nFeatures);
  const ranks = new Int32Array(nSamples * nFeatures);
  const edges = new Float64Array(nFeatures * maxBins);
  const nBins = new Int32Array(nFeatures);
  const exactBins = new Uint8Array(nFeatures);
  const rankOffset = new Int32Array(nFeatures);
  const sorted = new Float32Array(nSamples);
  const counts = new Int32Array(nSamples);
  const rankToBin = new Uint8Array(nSamples);
  const distinct = new Float64Array(nSamples);
  const distinctPerFeature: Float64Array[] = [];
  let totalDistinct = 0;
  for (let f = 0; f < nFeatures; f++) {
    const column = columns.subarray(f * nSamples, (f + 1) * nSamples);
    sorted.set(column);
    sorted.sort();
    let nDistinct = 0;
    for (let i = 0; i < nSamples; i++) {
      // -0 and 0 are one value: both compare equal to any threshold.
      const v = (sorted[i] as number) + 0;
      if (nDistinct > 0 && distinct[nDistinct - 1] === v) counts[nDistinct - 1] = (counts[nDistinct - 1] as number) + 1;
      else {
        distinct[nDistinct] = v;
        counts[nDistinct] = 1;
        nDistinct++;
      }
    }
    distinctPerFeature.push(distinct.slice(0, nDistinct));
    rankOffset[f] = totalDistinct;
    totalDistinct += nDistinct;

    const offset = f * maxBins;
    let b = 0;
    if (nDistinct <= maxBins) {
      for (let d = 0; d < nDistinct; d++) {
        rankToBin[d] = d;
        if (d < nDistinct - 1) edges[offset + d] = edgeBetween(distinct[d] as number, distinct[d + 1] as number);
      }
      b = nDistinct - 1;
    } else {
      // Close a bin once it holds its share of the samples; ties stay in one bin since edges only fall between
      // distinct values. Bins are never more than maxBins: the last edge is placed at most maxBins - 1 times.
      let cumulative = 0;
      for (let d = 0; d < nDistinct; d++) {
        rankToBin[d] = b;
        cumulative += counts[d] as number;
        if (d < nDistinct - 1 && b < maxBins - 1 && cumulative >= ((b + 1) * nSamples) / maxBins) {
          edges[offset + b] = edgeBetween(distinct[d] as number, distinct[d + 1] as number);
          b++;
        }
      }
    }
    nBins[f] = b + 1;
    exactBins[f] = nDistinct <= maxBins ? 1 : 0;
    for (let i = 0; i < nSamples; i++) {
      const v = Math.fround(column[i] as number);
      let lo = 0;
      let hi = nDistinct - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((distinct[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      ranks[f * nSamples + i] = lo;
      bins[f * nSamples + i] = rankToBin[lo] as number;
    }
  }
  const rankValues = new Float64Array(totalDistinct);
  distinctPerFeature.forEach((d, f) => rankValues.set(d, rankOffset[f]));
  return { bins, edges, nBins, exactBins, maxBins, ranks, rankValues, rankOffset };
}
