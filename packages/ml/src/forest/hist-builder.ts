/**
 * Grows one CART tree on binned features (see binning.ts): the structure of scikit-learn's depth-first builder
 * (bootstrap by counts, a fresh draw of candidate features at every node with its constant-feature bookkeeping,
 * sample counts as weights) with the threshold search done on per-node class histograms instead of sorted values.
 * Small nodes, where clearing and scanning a whole histogram would cost more than the node itself and where
 * coarse bins would cost accuracy, sort their few samples by value rank instead and try every threshold between
 * distinct values. Every threshold is a float32 value strictly below the next training value of its node.
 * Scratch buffers are allocated once and reused for every tree.
 */
import { edgeBetween } from './binning.js';
import type { BinnedFeatures } from './binning.js';
import type { BuiltTree, TreeParams } from './builder.js';
import { treeImportances } from './importances.js';
import { Prng } from './prng.js';
import { DecisionTree, LEAF } from './tree.js';

/** A node this pure is a leaf (scikit-learn's `EPSILON`). */
const EPSILON = Number.EPSILON;
/** Nodes with at most this many samples sort by value rank rather than build histograms. */
const SMALL_NODE = 48;
/** Sort keys pack a rank and a position below SMALL_NODE: `rank << POSITION_BITS | position`. */
const POSITION_BITS = 6;
const POSITION_MASK = (1 << POSITION_BITS) - 1;

/** Binned training data shared by every tree of a forest (and, through shared memory, by worker threads). */
export interface BinnedTrainingData extends BinnedFeatures {
  readonly nSamples: number;
  readonly nFeatures: number;
  /** Class index of each sample. */
  readonly yIndex: Int32Array;
  readonly nClasses: number;
}

/** Grows trees on one binned training set; `build(seed)` depends on nothing but the seed. */
export class HistogramTreeBuilder {
  // The training set's fields, copied onto the builder: V8 then sees one object shape in every fit, where the
  // data objects of successive fits may each get a shape of their own and deoptimise the hot loops.
  private readonly bins: Uint8Array;
  private readonly ranks: Int32Array;
  private readonly edges: Float64Array;
  private readonly nBins: Int32Array;
  private readonly exactBins: Uint8Array;
  private readonly maxBins: number;
  private readonly rankValues: Float64Array;
  private readonly rankOffset: Int32Array;
  private readonly nSamples: number;
  private readonly nFeatures: number;
  private readonly yIndex: Int32Array;
  private readonly nClasses: number;
  private readonly params: TreeParams;
  private readonly gini: boolean;
  private readonly weights: Int32Array;
  // Node-ordered samples with their class and weight alongside, so that the histogram loop reads them in order.
  private readonly samples: Int32Array;
  private readonly nodeY: Int32Array;
  private readonly nodeW: Int32Array;
  // Where a partition parks the right-hand samples.
  private readonly spareSamples: Int32Array;
  private readonly spareY: Int32Array;
  private readonly spareW: Int32Array;
  /** Small-node sort scratch: rank and position in one integer. */
  private readonly sortKeys: Int32Array;
  private readonly features: Int32Array;
  private readonly constantFeatures: Int32Array;
  /** Class weights per bin of the feature being scanned, `maxBins * nClasses`, kept all zero between uses. */
  private readonly hist: Int32Array;
  /** Total weight per bin of the feature being scanned (more than two classes only), kept all zero between uses. */
  private readonly binWeights: Int32Array;
  /** Samples per bin, only tracked when `minSamplesLeaf > 1`. */
  private readonly binCounts: Int32Array;
  private readonly nodeCounts: Int32Array;
  private readonly leftCounts: Int32Array;
  private readonly rightCounts: Int32Array;
  private readonly xlog2x: Float64Array;
  private readonly nodeFeature: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeWeight: Float64Array;
  private readonly nodeImpurity: Float64Array;
  private leafValues: Float64Array;
  private pendingCounts: Int32Array;
  /** Class counts of the left side of the best split found so far. */
  private readonly bestLeft: Int32Array;
  private bestFeature = -1;
  /** The best split sends left the samples whose bin (or, when `bestByRank`, rank) is at most `bestBin`. */
  private bestBin = 0;
  private bestByRank = false;
  private bestThreshold = 0;
  /** Whether small nodes may use ranks: keys must stay below 2^31. */
  private readonly rankSearch: boolean;
  private bestProxy = -Infinity;
  private nTotalConstants = 0;

  constructor(data: BinnedTrainingData, params: TreeParams) {
    this.bins = data.bins;
    this.ranks = data.ranks;
    this.edges = data.edges;
    this.nBins = data.nBins;
    this.exactBins = data.exactBins;
    this.maxBins = data.maxBins;
    this.rankValues = data.rankValues;
    this.rankOffset = data.rankOffset;
    this.nSamples = data.nSamples;
    this.nFeatures = data.nFeatures;
    this.yIndex = data.yIndex;
    this.nClasses = data.nClasses;
    this.params = params;
    this.gini = params.criterion === 'gini';
    const n = data.nSamples;
    const k = data.nClasses;
    this.weights = new Int32Array(n);
    this.samples = new Int32Array(n);
    this.nodeY = new Int32Array(n);
    this.nodeW = new Int32Array(n);
    this.spareSamples = new Int32Array(n);
    this.spareY = new Int32Array(n);
    this.spareW = new Int32Array(n);
    this.sortKeys = new Int32Array(SMALL_NODE);
    this.rankSearch = n < 2 ** (31 - POSITION_BITS);
    this.features = new Int32Array(data.nFeatures);
    this.constantFeatures = new Int32Array(data.nFeatures);
    this.hist = new Int32Array(data.maxBins * k);
    this.binCounts = new Int32Array(data.maxBins);
    this.binWeights = new Int32Array(data.maxBins);
    this.nodeCounts = new Int32Array(k);
    this.leftCounts = new Int32Array(k);
    this.rightCounts = new Int32Array(k);
    this.xlog2x = new Float64Array(this.gini ? 0 : n + 1);
    for (let w = 1; w < this.xlog2x.length; w++) this.xlog2x[w] = w * Math.log2(w);
    const maxNodes = 2 * n - 1;
    this.nodeFeature = new Int32Array(maxNodes);
    this.nodeThreshold = new Float64Array(maxNodes);
    this.nodeLeft = new Int32Array(maxNodes);
    this.nodeRight = new Int32Array(maxNodes);
    this.nodeWeight = new Float64Array(maxNodes);
    this.nodeImpurity = new Float64Array(maxNodes);
    this.leafValues = new Float64Array(Math.min(n, 1024) * k);
    this.pendingCounts = new Int32Array(64 * k);
    this.bestLeft = new Int32Array(k);
  }

  /** Grows one tree from its own seed (bootstrap draw and feature draws both come from it). */
  build(seed: number): BuiltTree {
    const rng = new Prng(seed);
    const { nSamples, nClasses, yIndex } = this;
    const { weights, samples, nodeY, nodeW, nodeCounts, params } = this;

    if (params.bootstrap) {
      weights.fill(0);
      for (let i = 0; i < nSamples; i++) {
        const s = rng.below(nSamples);
        weights[s] = (weights[s] as number) + 1;
      }
    } else {
      weights.fill(1);
    }
    let nActive = 0;
    for (let i = 0; i < nSamples; i++) {
      const w = weights[i] as number;
      if (w > 0) {
        samples[nActive] = i;
        nodeY[nActive] = yIndex[i] as number;
        nodeW[nActive] = w;
        nActive++;
      }
    }
    for (let f = 0; f < this.features.length; f++) {
      this.features[f] = f;
      this.constantFeatures[f] = f;
    }

    const minSamplesSplit = Math.max(params.minSamplesSplit, 2 * params.minSamplesLeaf);
    let nodeCount = 0;
    let leafCount = 0;
    // The class counts of pending nodes, pushed and popped with them: a split already knows its children's counts.
    let pendingCounts = this.pendingCounts;
    let countsTop = nClasses;
    pendingCounts.fill(0, 0, nClasses);
    for (let i = 0; i < nActive; i++) pendingCounts[nodeY[i] as number] = (pendingCounts[nodeY[i] as number] as number) + (nodeW[i] as number);
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
      countsTop -= nClasses;
      let weight = 0;
      for (let k = 0; k < nClasses; k++) {
        const c = pendingCounts[countsTop + k] as number;
        nodeCounts[k] = c;
        weight += c;
      }
      const impurity = this.impurity(weight);
      this.nodeWeight[node] = weight;
      this.nodeImpurity[node] = impurity;

      let isLeaf = depth >= params.maxDepth || end - start < minSamplesSplit || impurity <= EPSILON;
      if (!isLeaf) {
        this.findSplit(rng, start, end, weight, nConstant);
        isLeaf = this.bestFeature < 0;
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
      const feature = this.bestFeature;
      this.nodeFeature[node] = feature;
      this.nodeThreshold[node] = this.bestThreshold;
      const pos = this.partition(start, end, feature, this.bestBin, this.bestByRank);
      // Right is pushed first so the left subtree is grown (and numbered) first.
      stack.push(pos, end, depth + 1, node, 0, this.nTotalConstants);
      stack.push(start, pos, depth + 1, node, 1, this.nTotalConstants);
      if (countsTop + 2 * nClasses > pendingCounts.length) {
        const grown = new Int32Array(2 * pendingCounts.length + 2 * nClasses);
        grown.set(pendingCounts);
        pendingCounts = grown;
        this.pendingCounts = grown;
      }
      const { bestLeft } = this;
      for (let k = 0; k < nClasses; k++) {
        pendingCounts[countsTop + k] = (nodeCounts[k] as number) - (bestLeft[k] as number);
        pendingCounts[countsTop + nClasses + k] = bestLeft[k] as number;
      }
      countsTop += 2 * nClasses;
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
        this.nFeatures,
      ),
    };
  }

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
   * Best split of `samples[start:end]` into `bestFeature` (-1 when none) and `bestBin` (the last bin going left),
   * with the constant-feature bookkeeping of scikit-learn's `BestSplitter.node_split`; here a feature is constant
   * in a node when all its samples share one bin.
   */
  private findSplit(rng: Prng, start: number, end: number, nodeWeight: number, nKnownConstants: number): void {
    const { features } = this;
    const { maxFeatures } = this.params;
    this.bestFeature = -1;
    this.bestProxy = -Infinity;
    let fI = features.length;
    let nTotalConstants = nKnownConstants;
    let nVisited = 0;
    let nFound = 0;
    let nDrawnConstants = 0;
    const small = end - start <= SMALL_NODE && this.rankSearch;

    while (fI > nTotalConstants && (nVisited < maxFeatures || nVisited <= nFound + nDrawnConstants)) {
      nVisited++;
      let fJ = nDrawnConstants + rng.below(fI - nFound - nDrawnConstants);
      if (fJ < nKnownConstants) {
        swapInt(features, nDrawnConstants, fJ);
        nDrawnConstants++;
        continue;
      }
      fJ += nFound;
      const feature = features[fJ] as number;
      const constant = small ? this.scanSmall(feature, start, end, nodeWeight) : this.scanHistogram(feature, start, end, nodeWeight, 0, (this.nBins[feature] as number) - 1);
      if (constant) {
        swapInt(features, fJ, nTotalConstants);
        nFound++;
        nTotalConstants++;
        continue;
      }
      fI--;
      swapInt(features, fI, fJ);
    }

    features.set(this.constantFeatures.subarray(0, nKnownConstants), 0);
    this.constantFeatures.set(features.subarray(nKnownConstants, nKnownConstants + nFound), nKnownConstants);
    this.nTotalConstants = nTotalConstants;
  }

  /** Fills `leftCounts`/`rightCounts` for a fresh scan; returns the node's proxy terms for both sides. */
  private resetSides(): number {
    const { nodeCounts, leftCounts, rightCounts, xlog2x } = this;
    let s = 0;
    // Plain loops: typed-array fill and set cost more than a few classes.
    for (let k = 0; k < nodeCounts.length; k++) {
      const c = nodeCounts[k] as number;
      leftCounts[k] = 0;
      rightCounts[k] = c;
      s += this.gini ? c * c : (xlog2x[c] as number);
    }
    return s;
  }

  private saveBestLeft(): void {
    const { leftCounts, bestLeft } = this;
    for (let k = 0; k < leftCounts.length; k++) bestLeft[k] = leftCounts[k] as number;
  }

  /**
   * Scans the node's class histogram of one feature bin by bin; returns true when the feature is constant in
   * the node. The split proxy is as in the exact builder: `sum(c^2)/w` over both sides for Gini,
   * `sum(c log c) - w log w` over both sides for entropy. Two classes, the common case, get their own loop.
   */
  private scanHistogram(feature: number, start: number, end: number, nodeWeight: number, firstBin: number, lastBin: number): boolean {
    const { samples, nodeY, nodeW, hist, binCounts } = this;
    const { bins, nSamples, nClasses: K } = this;
    const col = feature * nSamples;
    if (K === 2) {
      for (let i = start; i < end; i++) {
        const h = ((bins[col + (samples[i] as number)] as number) << 1) | (nodeY[i] as number);
        hist[h] = (hist[h] as number) + (nodeW[i] as number);
      }
    } else {
      const { binWeights } = this;
      for (let i = start; i < end; i++) {
        const b = bins[col + (samples[i] as number)] as number;
        const h = b * K + (nodeY[i] as number);
        const w = nodeW[i] as number;
        hist[h] = (hist[h] as number) + w;
        binWeights[b] = (binWeights[b] as number) + w;
      }
    }
    if (this.params.minSamplesLeaf > 1) {
      for (let i = start; i < end; i++) {
        const b = bins[col + (samples[i] as number)] as number;
        binCounts[b] = (binCounts[b] as number) + 1;
      }
    }
    if (K === 2) return this.scanBinary(feature, end - start, nodeWeight, firstBin, lastBin);
    return this.scanClasses(feature, end - start, nodeWeight, firstBin, lastBin);
  }

  /** The bin scan of `scanHistogram` for two classes; clears the histogram as it goes. */
  private scanBinary(feature: number, n: number, nodeWeight: number, firstBin: number, lastBin: number): boolean {
    const { hist, binCounts, xlog2x, gini, nodeCounts } = this;
    const minLeaf = this.params.minSamplesLeaf;
    const trackCounts = minLeaf > 1;
    let l0 = 0;
    let l1 = 0;
    let r0 = nodeCounts[0] as number;
    let r1 = nodeCounts[1] as number;
    let wLeft = 0;
    let wRight = nodeWeight;
    let nLeft = 0;
    let bestProxy = this.bestProxy;
    let prev = -1;
    let nonEmpty = 0;
    for (let b = firstBin; b <= lastBin; b++) {
      const h0 = hist[2 * b] as number;
      const h1 = hist[2 * b + 1] as number;
      const wb = h0 + h1;
      if (wb === 0) continue;
      hist[2 * b] = 0;
      hist[2 * b + 1] = 0;
      nonEmpty++;
      if (prev >= 0 && (!trackCounts || (nLeft >= minLeaf && n - nLeft >= minLeaf))) {
        const proxy = gini
          ? (l0 * l0 + l1 * l1) / wLeft + (r0 * r0 + r1 * r1) / wRight
          : (xlog2x[l0] as number) + (xlog2x[l1] as number) + (xlog2x[r0] as number) + (xlog2x[r1] as number) - (xlog2x[wLeft] as number) - (xlog2x[wRight] as number);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          this.bestFeature = feature;
          this.bestBin = prev;
          this.bestByRank = false;
          this.bestThreshold = this.edges[feature * this.maxBins + prev] as number;
          this.bestLeft[0] = l0;
          this.bestLeft[1] = l1;
        }
      }
      l0 += h0;
      l1 += h1;
      r0 -= h0;
      r1 -= h1;
      wLeft += wb;
      wRight -= wb;
      if (trackCounts) {
        nLeft += binCounts[b] as number;
        binCounts[b] = 0;
      }
      prev = b;
    }
    this.bestProxy = bestProxy;
    return nonEmpty <= 1;
  }

  /** The bin scan of `scanHistogram` for any number of classes; clears the histogram as it goes. */
  private scanClasses(feature: number, n: number, nodeWeight: number, firstBin: number, lastBin: number): boolean {
    const { hist, binWeights, binCounts, leftCounts, rightCounts, xlog2x, gini } = this;
    const K = this.nClasses;
    const minLeaf = this.params.minSamplesLeaf;
    const trackCounts = minLeaf > 1;
    let sLeft = 0;
    let sRight = this.resetSides();
    let wLeft = 0;
    let wRight = nodeWeight;
    let nLeft = 0;
    let bestProxy = this.bestProxy;
    let prev = -1;
    let nonEmpty = 0;
    for (let b = firstBin; b <= lastBin; b++) {
      const wb = binWeights[b] as number;
      if (wb === 0) continue;
      binWeights[b] = 0;
      nonEmpty++;
      if (prev >= 0 && (!trackCounts || (nLeft >= minLeaf && n - nLeft >= minLeaf))) {
        const proxy = gini ? sLeft / wLeft + sRight / wRight : sLeft + sRight - (xlog2x[wLeft] as number) - (xlog2x[wRight] as number);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          this.bestFeature = feature;
          this.bestBin = prev;
          this.bestByRank = false;
          this.bestThreshold = this.edges[feature * this.maxBins + prev] as number;
          this.saveBestLeft();
        }
      }
      const o = b * K;
      if (gini) {
        for (let k = 0; k < K; k++) {
          const h = hist[o + k] as number;
          if (h === 0) continue;
          hist[o + k] = 0;
          const cl = leftCounts[k] as number;
          const cr = rightCounts[k] as number;
          sLeft += h * (2 * cl + h);
          sRight += h * (h - 2 * cr);
          leftCounts[k] = cl + h;
          rightCounts[k] = cr - h;
        }
      } else {
        for (let k = 0; k < K; k++) {
          const h = hist[o + k] as number;
          if (h === 0) continue;
          hist[o + k] = 0;
          const cl = leftCounts[k] as number;
          const cr = rightCounts[k] as number;
          sLeft += (xlog2x[cl + h] as number) - (xlog2x[cl] as number);
          sRight += (xlog2x[cr - h] as number) - (xlog2x[cr] as number);
          leftCounts[k] = cl + h;
          rightCounts[k] = cr - h;
        }
      }
      wLeft += wb;
      wRight -= wb;
      if (trackCounts) {
        nLeft += binCounts[b] as number;
        binCounts[b] = 0;
      }
      prev = b;
    }
    this.bestProxy = bestProxy;
    return nonEmpty <= 1;
  }

  /**
   * The exact search of a small node. Features with one bin per distinct value get a histogram over the node's own
   * range of bins (a few bins for pixel intensities or categories); others are sorted by value rank. Returns true
   * when the feature is constant in the node.
   */
  private scanSmall(feature: number, start: number, end: number, nodeWeight: number): boolean {
    const { samples } = this;
    const { nSamples, exactBins } = this;
    const col = feature * nSamples;
    const codes = exactBins[feature] === 1 ? this.bins : this.ranks;
    let lo = 0x7fffffff;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const c = codes[col + (samples[i] as number)] as number;
      if (c < lo) lo = c;
      if (c > hi) hi = c;
    }
    if (lo === hi) return true;
    // Rough costs: a histogram touches every class of every bin in range, insertion sort about n^2 / 4 pairs.
    const n = end - start;
    const K = this.nClasses;
    if (codes === this.bins && (hi - lo + 1) * (K === 2 ? 2 : K + 2) <= (n * n) / 4 + 2 * n) {
      return this.scanHistogram(feature, start, end, nodeWeight, lo, hi);
    }
    return this.scanSorted(feature, start, end, nodeWeight);
  }

  /**
   * The exact search of a small node: sorts its samples by value rank (rank and position packed in one integer)
   * and scans runs of equal values. Returns true when the feature is constant in the node.
   */
  private scanSorted(feature: number, start: number, end: number, nodeWeight: number): boolean {
    const { samples, nodeY, nodeW, leftCounts, rightCounts, xlog2x, gini } = this;
    const { ranks, nSamples } = this;
    const minLeaf = this.params.minSamplesLeaf;
    const col = feature * nSamples;
    const n = end - start;
    const keys = this.sortKeys;
    // Insertion sort: the node is small.
    for (let j = 0; j < n; j++) {
      const key = ((ranks[col + (samples[start + j] as number)] as number) << POSITION_BITS) | j;
      let m = j - 1;
      while (m >= 0 && (keys[m] as number) > key) {
        keys[m + 1] = keys[m] as number;
        m--;
      }
      keys[m + 1] = key;
    }

    let sLeft = 0;
    let sRight = this.resetSides();
    let wLeft = 0;
    let wRight = nodeWeight;
    let bestProxy = this.bestProxy;
    let j = 0;
    while (j < n) {
      const rank = (keys[j] as number) >> POSITION_BITS;
      do {
        const i = start + ((keys[j] as number) & POSITION_MASK);
        const w = nodeW[i] as number;
        const c = nodeY[i] as number;
        const cl = leftCounts[c] as number;
        const cr = rightCounts[c] as number;
        if (gini) {
          sLeft += w * (2 * cl + w);
          sRight += w * (w - 2 * cr);
        } else {
          sLeft += (xlog2x[cl + w] as number) - (xlog2x[cl] as number);
          sRight += (xlog2x[cr - w] as number) - (xlog2x[cr] as number);
        }
        leftCounts[c] = cl + w;
        rightCounts[c] = cr - w;
        wLeft += w;
        wRight -= w;
        j++;
      } while (j < n && (keys[j] as number) >> POSITION_BITS === rank);
      if (j >= n) break;
      if (j < minLeaf || n - j < minLeaf) continue;
      const proxy = gini ? sLeft / wLeft + sRight / wRight : sLeft + sRight - (xlog2x[wLeft] as number) - (xlog2x[wRight] as number);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        this.bestFeature = feature;
        this.bestBin = rank;
        this.bestByRank = true;
        const values = this.rankValues;
        const offset = this.rankOffset[feature] as number;
        this.bestThreshold = edgeBetween(values[offset + rank] as number, values[offset + ((keys[j] as number) >> POSITION_BITS)] as number);
        this.saveBestLeft();
      }
    }
    this.bestProxy = bestProxy;
    return false;
  }

  /**
   * Moves the samples whose bin (or rank) is at most `last` to the front of `[start, end)`; returns where the
   * right part starts.
   */
  private partition(start: number, end: number, feature: number, last: number, byRank: boolean): number {
    const { samples, nodeY, nodeW, spareSamples, spareY, spareW } = this;
    const { nSamples } = this;
    const codes = byRank ? this.ranks : this.bins;
    const col = feature * nSamples;
    // Stable: the root lists samples in ascending order and every node keeps it, so the histogram loops read
    // each feature column front to back instead of jumping around it.
    let p = start;
    let q = 0;
    for (let i = start; i < end; i++) {
      const sample = samples[i] as number;
      if ((codes[col + sample] as number) <= last) {
        samples[p] = sample;
        nodeY[p] = nodeY[i] as number;
        nodeW[p] = nodeW[i] as number;
        p++;
      } else {
        spareSamples[q] = sample;
        spareY[q] = nodeY[i] as number;
        spareW[q] = nodeW[i] as number;
        q++;
      }
    }
    for (let j = 0; j < q; j++) {
      samples[p + j] = spareSamples[j] as number;
      nodeY[p + j] = spareY[j] as number;
      nodeW[p + j] = spareW[j] as number;
    }
    return p;
  }
}

function swapInt(a: Int32Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
