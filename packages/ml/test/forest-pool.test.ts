import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RandomForestClassifier } from '../src/forest/forest.js';
import type { GrowSpec } from '../src/forest/grow.js';
import { ForestWorkerError, MIN_PARALLEL_WORK, closeForestPool, forestPoolSize, growTrees } from '../src/forest/pool.js';
import { loadReferenceDataset } from './helpers/reference-data.js';

afterAll(async () => {
  await closeForestPool();
  expect(forestPoolSize()).toBe(0);
});

function treesOf(model: RandomForestClassifier): unknown[] {
  return model.trees.map((t) => [t.feature, t.threshold, t.left, t.right, t.values]);
}

describe('growing trees on worker threads', () => {
  const data = loadReferenceDataset('digits');

  it.each(['histogram', 'exact'] as const)('%s: the same randomState gives the same forest whatever nJobs is', (splitter) => {
    // 1437 rows x 70 trees: above MIN_PARALLEL_WORK, so the threads are used.
    const fit = (nJobs: number): RandomForestClassifier =>
      new RandomForestClassifier({ nEstimators: 70, randomState: 5, splitter, nJobs, maxDepth: 8 }).fit(data.X, data.y);
    const one = fit(1);
    const two = fit(2);
    const three = fit(3);
    expect(forestPoolSize()).toBe(2);
    expect(treesOf(two)).toEqual(treesOf(one));
    expect(treesOf(three)).toEqual(treesOf(one));
    expect(two.featureImportances).toEqual(one.featureImportances);
    expect(three.predictProba(data.X.slice(0, 50))).toEqual(one.predictProba(data.X.slice(0, 50)));
  });

  it.each(['histogram', 'exact'] as const)('%s: predictions on threads are the same, bit for bit, as on the calling thread', async (splitter) => {
    const model = new RandomForestClassifier({ nEstimators: 150, randomState: 3, splitter, maxDepth: 10 }).fit(data.X, data.y);
    const single = model.predictProba(data.X);
    const state = model.toState();
    await closeForestPool();
    // The same trees, predicting with two and three threads: 1797 rows x 150 trees is above the parallel threshold.
    for (const nJobs of [2, 3]) {
      const threaded = RandomForestClassifier.fromState({ ...state, options: { ...state.options, nJobs } });
      expect(threaded.predictProba(data.X)).toEqual(single);
      expect(threaded.predict(data.X)).toEqual(model.predict(data.X));
      expect(forestPoolSize()).toBe(nJobs - 1);
    }
    // Below the threshold, a prediction stays on the calling thread.
    await closeForestPool();
    const threaded = RandomForestClassifier.fromState({ ...state, options: { ...state.options, nJobs: 2 } });
    expect(threaded.predictProba(data.X.slice(0, 20))).toEqual(single.slice(0, 20));
    expect(forestPoolSize()).toBe(0);
  });

  it('nJobs -1 uses one thread per CPU and still gives the same forest', () => {
    const a = new RandomForestClassifier({ nEstimators: 70, randomState: 9, nJobs: -1, maxDepth: 4 }).fit(data.X, data.y);
    const b = new RandomForestClassifier({ nEstimators: 70, randomState: 9, maxDepth: 4 }).fit(data.X, data.y);
    expect(treesOf(a)).toEqual(treesOf(b));
  });

  it('a failure in the threads surfaces as ForestWorkerError, and the pool keeps working', () => {
    // A negative class count: every thread, the calling one included, fails when it sets up its builder.
    const broken: GrowSpec = {
      kind: 'histogram',
      data: {
        bins: new Uint8Array(20),
        edges: new Float64Array(4),
        nBins: new Int32Array(2).fill(1),
        exactBins: new Uint8Array(2).fill(1),
        maxBins: 2,
        ranks: new Int32Array(20),
        rankValues: new Float64Array(2),
        rankOffset: new Int32Array([0, 1]),
        nSamples: 10,
        nFeatures: 2,
        yIndex: new Int32Array(10),
        nClasses: -1,
      },
      params: { maxFeatures: 1, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, criterion: 'gini', bootstrap: true },
    };
    const seeds = new Uint32Array(MIN_PARALLEL_WORK / 10).map((_, i) => i);
    expect(() => growTrees(broken, seeds, 2)).toThrow(ForestWorkerError);
    const model = new RandomForestClassifier({ nEstimators: 70, randomState: 1, nJobs: 2, maxDepth: 3 }).fit(data.X, data.y);
    expect(model.trees).toHaveLength(70);
  });

  it('closeForestPool stops every thread; a later parallel fit starts new ones', async () => {
    const fit = (): RandomForestClassifier => new RandomForestClassifier({ nEstimators: 70, randomState: 1, nJobs: 2, maxDepth: 3 }).fit(data.X, data.y);
    fit();
    expect(forestPoolSize()).toBeGreaterThan(0);
    await closeForestPool();
    expect(forestPoolSize()).toBe(0);
    fit();
    expect(forestPoolSize()).toBe(1);
  });

  it('small fits stay on the calling thread', async () => {
    await closeForestPool();
    const iris = loadReferenceDataset('iris');
    new RandomForestClassifier({ nEstimators: 100, randomState: 1, nJobs: 2 }).fit(iris.X, iris.y);
    expect(forestPoolSize()).toBe(0);
  });

  it('an open pool does not keep a process alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-forest-pool-'));
    try {
      const script = join(dir, 'fit.mts');
      const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
      writeFileSync(
        script,
        `import { RandomForestClassifier, forestPoolSize } from ${JSON.stringify(index)};
const X = Array.from({ length: 2000 }, (_, i) => [i % 17, i % 5]);
const y = X.map(([a]) => (a > 8 ? 1 : 0));
new RandomForestClassifier({ nEstimators: 60, randomState: 1, nJobs: 2 }).fit(X, y);
console.log('pool', forestPoolSize());
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      // Bounded: a child kept alive by the pool is killed and the test fails on its signal.
      const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      clearTimeout(guard);
      expect(out).toContain('pool 1');
      expect(signal).toBeNull();
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
