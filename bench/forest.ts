import { spawnSync } from 'node:child_process';
import { type Dataset, loadBreastCancer, loadDigits, loadIris, loadWine, RandomForestClassifier, trainTestSplit } from '@updraft/ml';
import { fmt, hasSklearn, median, ratio, table } from './lib.js';

const DATASETS: Record<string, () => Dataset> = { iris: loadIris, wine: loadWine, breast_cancer: loadBreastCancer, digits: loadDigits };

/**
 * Forest fit and predict times (100 trees, seed 42) on the 80/20 split with seed 42 of each shipped data set,
 * beside scikit-learn's (n_jobs=1) on the same rows when Debian's python3-sklearn is installed.
 */
export function benchForest(repeats: number): Record<string, unknown> {
  const splits = Object.fromEntries(
    Object.entries(DATASETS).map(([name, load]) => {
      const d = load();
      const [xTrain, xTest, yTrain, yTest] = trainTestSplit(d.data, d.target, { testSize: 0.2, randomState: 42 });
      return [name, { xTrain, xTest, yTrain, yTest }];
    }),
  );
  const ours: Record<string, { fit: number; predict: number; accuracy: number }> = {};
  for (const [name, s] of Object.entries(splits)) {
    const fits: number[] = [];
    const predicts: number[] = [];
    let accuracy = 0;
    for (let i = 0; i <= repeats; i++) {
      let t = performance.now();
      const model = new RandomForestClassifier({ nEstimators: 100, randomState: 42 }).fit(s.xTrain, s.yTrain);
      const fit = (performance.now() - t) / 1000;
      t = performance.now();
      const pred = model.predict(s.xTest);
      const predict = (performance.now() - t) / 1000;
      accuracy = pred.filter((p, j) => p === s.yTest[j]).length / pred.length;
      if (i > 0) {
        // The first round warms the JIT and is not counted.
        fits.push(fit);
        predicts.push(predict);
      }
    }
    ours[name] = { fit: median(fits), predict: median(predicts), accuracy };
  }
  type SkResults = Record<string, { fitSeconds: number[]; predictSeconds: number[]; accuracy: number }>;
  let sk: SkResults | null = null;
  let skVersion: string | null = null;
  if (hasSklearn()) {
    const r = spawnSync('/usr/bin/python3', [new URL('./python/forest_fit.py', import.meta.url).pathname], {
      input: JSON.stringify({ datasets: splits, repeats, n_jobs: 1 }),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`forest_fit.py failed: ${r.stderr}`);
    const parsed = JSON.parse(r.stdout) as { sklearn: string; results: SkResults };
    sk = parsed.results;
    skVersion = parsed.sklearn;
  }
  const skResults: SkResults | null = sk;
  const rows = Object.entries(ours).map(([name, o]) => {
    const s = skResults?.[name];
    const skFit = s ? median(s.fitSeconds) : null;
    const skPredict = s ? median(s.predictSeconds) : null;
    return [
      name,
      fmt(o.fit),
      skFit === null ? 'n/a' : fmt(skFit),
      skFit === null ? '' : ratio(skFit, o.fit),
      fmt(o.predict),
      skPredict === null ? 'n/a' : fmt(skPredict),
      o.accuracy.toFixed(4),
      s ? s.accuracy.toFixed(4) : 'n/a',
    ];
  });
  console.log(`\n## Random forest, 100 trees, seed 42, 80/20 split seed 42 (median of ${repeats})${skVersion ? `; scikit-learn ${skVersion}, n_jobs=1` : '; scikit-learn not installed'}\n`);
  console.log(table(['data set', 'fit', 'sklearn fit', 'speedup', 'predict', 'sklearn predict', 'accuracy', 'sklearn accuracy'], rows));
  return { ours, sklearn: sk, sklearnVersion: skVersion };
}
