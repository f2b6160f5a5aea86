/**
 * Grows one CART tree the way scikit-learn's `DepthFirstTreeBuilder` with the `BestSplitter` does: bootstrap by
 * counts, a fresh draw of candidate features at every node (skipping features known to be constant, and drawing
 * past constant ones), an exhaustive threshold search over each candidate's sorted values with midpoint thresholds,
 * and sample counts as weights in the impurity. Scratch buffers are allocated once and reused for every tree.
 */
import type { Criterion } from './options.js';
import { treeImportances } from './importances.js';
import { Prng } from './prng.js';
import { denseRanks } from './ranks.js';
import { RankSorter } from './sort.js';
import { DecisionTree, LEAF } from './tree.js';

/** Values closer than this count as equal, as in scikit-learn (`FEATURE_THRESHOLD`). */
const FEATURE_THRESHOLD = 1e-7;
/** A node this pure is a leaf (scikit-learn's `EPSILON`, the double machine epsilon). */
const EPSILON = Number.EPSILON;

/** Validated training data shared by every tree of a forest. */
export interface TrainingData {
  /** Feature values, column-major: `columns[feature * nSamples + sample]`. */
  readonly columns: Float64Array;
  readonly nSamples: number;
  readonly nFeatures: number;
  /** Class index of each sample. */
  readonly yIndex: Int32Array;
  readonly nClasses: number;
}

/** Resolved tree-growing parameters. */
export interface TreeParams {
  /** Candidate features per split, already resolved to a count in [1, nFeatures]. */
  readonly maxFeatures: number;
  /** `Infinity` for unlimited depth. */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly criterion: Criterion;
  readonly bootstrap: boolean;
}

/** A grown tree and its impurity-decrease feature importances, normalised to sum to 1 (all 0 for a stump). */
export interface BuiltTree {
  readonly tree: DecisionTree;
  readonly importances: Float64Array;
}

/** Grows trees on one training set; `build(seed)` depends on nothing but the seed. */
export class TreeBuilder {
  private readonly data: TrainingData;
  private readonly params: TreeParams;
  private readonly gini: boolean;
  // Per-sample scratch.
  private readonly weights: Int32Array;
  private readonly samples: Int32Array;
  private readonly xf: Float64Array;
  /** Dense ranks of the feature values (see ranks.ts), and the node's ranks of the feature being sorted. */
  private readonly ranks: Int32Array;
  private readonly keys: Int32Array;
  private readonly sorter: RankSorter;
  // Feature permutation; its prefix holds the current node's known constant features.
  private readonly features: Int32Array;
  private readonly constantFeatures: Int32Array;
  // Class-count scratch.
  private readonly nodeCounts: Int32Array;
  private readonly leftCounts: Int32Array;
  private readonly rightCounts: Int32Array;
  /** `k * log2(k)` for every integer weight a node can have, so the entropy scan needs no logarithm. */
  private readonly xlog2x: Float64Array;
  // Node store, sized for the largest possible tree (2n - 1 nodes).
  private readonly nodeFeature: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeWeight: Float64Array;
  private readonly nodeImpurity: Float64Array;
  /** Grown on demand: with many classes, room for every possible leaf up front would be wasteful. */
  private leafValues: Float64Array;
  // Outputs of findSplit.
  private bestFeature = -1;
  private bestThreshold = 0;
  private bestPos = 0;
  private nTotalConstants = 0;
  private bestProxy = -Infinity;

  constructor(data: TrainingData, params: TreeParams) {
    this.data = data;
    this.params = params;
    this.gini = params.criterion === 'gini';
    const n = data.nSamples;
    this.weights = new Int32Array(n);
    this.samples = new Int32Array(n);
    this.xf = new Float64Array(n);
    this.ranks = denseRanks(data.columns, n, data.nFeatures);
    this.keys = new Int32Array(n);
    this.sorter = new RankSorter(n);
    this.features = new Int32Array(data.nFeatures);
    this.constantFeatures = new Int32Array(data.nFeatures);
    this.nodeCounts = new Int32Array(data.nClasses);
    this.leftCounts = new Int32Array(data.nClasses);
    this.rightCounts = new Int32Array(data.nClasses);
    this.xlog2x = new Float64Array(this.gini ? 0 : n + 1);
    for (let k = 1; k < this.xlog2x.length; k++) this.xlog2x[k] = k * Math.log2(k);
    const maxNodes = 2 * n - 1;
    this.nodeFeature = new Int32Array(maxNodes);
    this.nodeThreshold = new Float64Array(maxNodes);
    this.nodeLeft = new Int32Array(maxNodes);
    this.nodeRight = new Int32Array(maxNodes);
    this.nodeWeight = new Float64Array(maxNodes);
    this.nodeImpurity = new Float64Array(maxNodes);
    this.leafValues = new Float64Array(Math.min(n, 1024) * data.nClasses);
  }

  /** Grows one tree from its own seed (bootstrap draw and feature draws both come from it). */
  build(seed: number): BuiltTree {
    const rng = new Prng(seed);
    const { nSamples, nClasses, yIndex } = this.data;
    const { weights, samples, nodeCounts, params } = this;

    if (params.bootstrap) {
      // Bootstrap by counts: n draws with replacement become integer sample weights.
      weights.fill(0);
      for (let i = 0; i < nSamples; i++) {
        const s = rng.below(nSamples);
        weights[s] = (weights[s] as number) + 1;
      }
    } else {
      weights.fill(1);
    }
    let nActive = 0;
    for (let i = 0; i < nSamples; i++) if ((weights[i] as number) > 0) samples[nActive++] = i;
    for (let f = 0; f < this.features.length; f++) {
      this.features[f] = f;
      this.constantFeatures[f] = f;
    }

    const minSamplesSplit = Math.max(params.minSamplesSplit, 2 * params.minSamplesLeaf);
    let nodeCount = 0;
    let leafCount = 0;
    // Depth-first stack of pending nodes: start, end, depth, parent, isLeft (1/0), known constant features.
    const stack: number[] = [0, nActive, 0, -1, 0, 0];
    while (stack.length > 0) {
      const nConstant = stack.pop() as number;
      const isLeft = stack.pop() as number;
      const parent = stack.pop() as number;
      const depth = stack.pop() as number;
      const end = stack.pop() as number;
      const start = stack.pop() as number;

      const node = nodeCount++;
      if (parent >= 0) {
        if (isLeft === 1) this.nodeLeft[parent] = node;
        else this.nodeRight[parent] = node;
      }
      nodeCounts.fill(0);
      let weight = 0;
      for (let i = start; i < end; i++) {
        const s = samples[i] as number;
        const w = weights[s] as number;
        const c = yIndex[s] as number;
        nodeCounts[c] = (nodeCounts[c] as number) + w;
        weight += w;
      }
      const impurity = this.impurity(weight);
      this.nodeWeight[node] = weight;
      this.nodeImpurity[node] = impurity;

      const n = end - start;
      let isLeaf = depth >= params.maxDepth || n < minSamplesSplit || impurity <= EPSILON;
      if (!isLeaf) {
        this.findSplit(rng, start, end, weight, nConstant);
        isLeaf = this.bestPos >= end;
      }
      if (isLeaf) {
        this.nodeFeature[node] = LEAF;
        this.nodeThreshold[node] = 0;
        this.nodeLeft[node] = LEAF;
        this.nodeRight[node] = LEAF;
        const o = leafCount * nClasses;
        if (o + nClasses > this.leafValues.length) {
          const grown = new Float64Array(Math.min(2 * this.leafValues.length, nSamples * nClasses));
          grown.set(this.leafValues);
          this.leafValues = grown;
        }
        for (let k = 0; k < nClasses; k++) this.leafValues[o + k] = (nodeCounts[k] as number) / weight;
        leafCount++;
        continue;
      }
      const pos = this.bestPos;
      this.nodeFeature[node] = this.bestFeature;
      this.nodeThreshold[node] = this.bestThreshold;
      this.partition(start, end, this.bestFeature, this.bestThreshold);
      // Right is pushed first so the left subtree is grown (and numbered) first.
      stack.push(pos, end, depth + 1, node, 0, this.nTotalConstants);
      stack.push(start, pos, depth + 1, node, 1, this.nTotalConstants);
    }

    const tree = new DecisionTree(
      {
        feature: this.nodeFeature.slice(0, nodeCount),
        threshold: this.nodeThreshold.slice(0, nodeCount),
        left: this.nodeLeft.slice(0, nodeCount),
        right: this.nodeRight.slice(0, nodeCount),
        values: this.leafValues.slice(0, leafCount * nClasses),
      },
      nClasses,
    );
    return {
      tree,
      importances: treeImportances(
        { nodeCount, feature: this.nodeFeature, left: this.nodeLeft, right: this.nodeRight, weight: this.nodeWeight, impurity: this.nodeImpurity },
        this.data.nFeatures,
      ),
    };
  }

  /** Impurity of the class counts in `nodeCounts` with total weight `weight`. */
  private impurity(weight: number): number {
    const counts = this.nodeCounts;
    if (this.gini) {
      let sq = 0;
      for (let k = 0; k < counts.length; k++) sq += (counts[k] as number) * (counts[k] as number);
      return 1 - sq / (weight * weight);
    }
    let s = 0;
    for (let k = 0; k < counts.length; k++) s += this.xlog2x[counts[k] as number] as number;
    return Math.log2(weight) - s / weight;
  }

  /**
   * Best split of `samples[start:end]`, in `bestFeature`, `bestThreshold`, `bestPos` (`end` when none), and the
   * node's constant-feature count for its children in `nTotalConstants`. Mirrors scikit-learn's
   * `BestSplitter.node_split`, including its bookkeeping of constant features.
   */
  private findSplit(rng: Prng, start: number, end: number, nodeWeight: number, nKnownConstants: number): void {
    const { features, samples, xf, keys, ranks, nodeCounts, xlog2x, gini } = this;
    const { columns, nSamples } = this.data;
    const { maxFeatures } = this.params;
    const nClasses = nodeCounts.length;

    let nodeSq = 0;
    let nodeXlogx = 0;
    for (let k = 0; k < nClasses; k++) {
      const c = nodeCounts[k] as number;
      nodeSq += c * c;
      if (!gini) nodeXlogx += xlog2x[c] as number;
    }

    this.bestPos = end;
    this.bestFeature = -1;
    this.bestProxy = -Infinity;
    let fI = features.length;
    let nTotalConstants = nKnownConstants;
    let nVisited = 0;
    let nFound = 0;
    let nDrawnConstants = 0;

    // Draw features without replacement until maxFeatures non-constant ones were evaluated (constant ones do not
    // count), or every feature has been seen.
    while (fI > nTotalConstants && (nVisited < maxFeatures || nVisited <= nFound + nDrawnConstants)) {
      nVisited++;
      // Uniform over the not-yet-drawn features: [nDrawnConstants, fI - nFound).
      let fJ = nDrawnConstants + rng.below(fI - nFound - nDrawnConstants);
      if (fJ < nKnownConstants) {
        // A constant inherited from an ancestor: no need to look at its values again.
        swapInt(features, nDrawnConstants, fJ);
        nDrawnConstants++;
        continue;
      }
      fJ += nFound;
      const feature = features[fJ] as number;
      const colOffset = feature * nSamples;
      let minRank = 0x7fffffff;
      let maxRank = -1;
      let minSample = 0;
      let maxSample = 0;
      for (let i = start; i < end; i++) {
        const s = samples[i] as number;
        const r = ranks[colOffset + s] as number;
        keys[i] = r;
        if (r < minRank) {
          minRank = r;
          minSample = s;
        }
        if (r > maxRank) {
          maxRank = r;
          maxSample = s;
        }
      }
      if ((columns[colOffset + maxSample] as number) <= (columns[colOffset + minSample] as number) + FEATURE_THRESHOLD) {
        swapInt(features, fJ, nTotalConstants);
        nFound++;
        nTotalConstants++;
        continue;
      }
      fI--;
      swapInt(features, fI, fJ);
      this.sorter.sort(keys, samples, start, end, minRank, maxRank);
      for (let i = start; i < end; i++) xf[i] = columns[colOffset + (samples[i] as number)] as number;

      if (gini) this.scanGini(feature, start, end, nodeWeight, nodeSq);
      else this.scanEntropy(feature, start, end, nodeWeight, nodeXlogx);
    }

    // Keep the ancestors' constant prefix intact for siblings, and record the constants found here for children.
    features.set(this.constantFeatures.subarray(0, nKnownConstants), 0);
    this.constantFeatures.set(features.subarray(nKnownConstants, nKnownConstants + nFound), nKnownConstants);
    this.nTotalConstants = nTotalConstants;
  }

  /**
   * Scans the sorted values of one feature for the best Gini split, moving samples from right to left one run of
   * (near-)equal values at a time. The proxy `sum(left counts^2) / wLeft + sum(right counts^2) / wRight` ranks
   * splits as the weighted child impurity does, without its constant part.
   */
  private scanGini(feature: number, start: number, end: number, nodeWeight: number, nodeSq: number): void {
    const { samples, xf, weights, nodeCounts, leftCounts, rightCounts } = this;
    const { yIndex } = this.data;
    const { minSamplesLeaf } = this.params;
    leftCounts.fill(0);
    rightCounts.set(nodeCounts);
    let wLeft = 0;
    let wRight = nodeWeight;
    let sqLeft = 0;
    let sqRight = nodeSq;
    let bestProxy = this.bestProxy;
    let p = start;
    while (p < end) {
      for (;;) {
        const s = samples[p] as number;
        const w = weights[s] as number;
        const c = yIndex[s] as number;
        const cl = leftCounts[c] as number;
        const cr = rightCounts[c] as number;
        sqLeft += w * (2 * cl + w);
        sqRight += w * (w - 2 * cr);
        leftCounts[c] = cl + w;
        rightCounts[c] = cr - w;
        wLeft += w;
        wRight -= w;
        if (p + 1 >= end || (xf[p + 1] as number) > (xf[p] as number) + FEATURE_THRESHOLD) break;
        p++;
      }
      p++;
      if (p >= end) break;
      if (p - start < minSamplesLeaf || end - p < minSamplesLeaf) continue;
      const proxy = sqLeft / wLeft + sqRight / wRight;
      if (proxy > bestProxy) {
        bestProxy = proxy;
        this.recordSplit(feature, p);
      }
    }
    this.bestProxy = bestProxy;
  }

  /** As `scanGini` for entropy, with the proxy `sum(c log c) - w log w` over both sides, from a table. */
  private scanEntropy(feature: number, start: number, end: number, nodeWeight: number, nodeXlogx: number): void {
    const { samples, xf, weights, nodeCounts, leftCounts, rightCounts, xlog2x } = this;
    const { yIndex } = this.data;
    const { minSamplesLeaf } = this.params;
    leftCounts.fill(0);
    rightCounts.set(nodeCounts);
    let wLeft = 0;
    let wRight = nodeWeight;
    let hLeft = 0;
    let hRight = nodeXlogx;
    let bestProxy = this.bestProxy;
    let p = start;
    while (p < end) {
      for (;;) {
        const s = samples[p] as number;
        const w = weights[s] as number;
        const c = yIndex[s] as number;
        const cl = leftCounts[c] as number;
        const cr = rightCounts[c] as number;
        hLeft += (xlog2x[cl + w] as number) - (xlog2x[cl] as number);
        hRight += (xlog2x[cr - w] as number) - (xlog2x[cr] as number);
        leftCounts[c] = cl + w;
        rightCounts[c] = cr - w;
        wLeft += w;
        wRight -= w;
        if (p + 1 >= end || (xf[p + 1] as number) > (xf[p] as number) + FEATURE_THRESHOLD) break;
        p++;
      }
      p++;
      if (p >= end) break;
      if (p - start < minSamplesLeaf || end - p < minSamplesLeaf) continue;
      const proxy = hLeft + hRight - (xlog2x[wLeft] as number) - (xlog2x[wRight] as number);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        this.recordSplit(feature, p);
      }
    }
    this.bestProxy = bestProxy;
  }

  /** Records the split of the sorted values before position p, at scikit-learn's midpoint threshold. */
  private recordSplit(feature: number, p: number): void {
    const lo = this.xf[p - 1] as number;
    const hi = this.xf[p] as number;
    let threshold = lo / 2 + hi / 2;
    // scikit-learn's guard: a midpoint that rounds up to the upper value would send that value left.
    if (threshold === hi || threshold === Infinity || threshold === -Infinity) threshold = lo;
    this.bestThreshold = threshold;
    this.bestPos = p;
    this.bestFeature = feature;
  }

  /** Reorders `samples[start:end]` so that those with `feature <= threshold` come first. */
  private partition(start: number, end: number, feature: number, threshold: number): void {
    const { samples } = this;
    const { columns, nSamples } = this.data;
    const colOffset = feature * nSamples;
    let p = start;
    let q = end;
    while (p < q) {
      if ((columns[colOffset + (samples[p] as number)] as number) <= threshold) {
        p++;
      } else {
        q--;
        swapInt(samples, p, q);
      }
    }
  }
}

function swapInt(a: Int32Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
