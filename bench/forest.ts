import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closeForestPool,
  type Dataset,
  exportOnnx,
  loadBreastCancer,
  loadDigits,
  loadIris,
  loadWine,
  RandomForestClassifier,
  serializeModel,
  trainTestSplit,
} from '@updraft/ml';
import { fmt, hasSklearn, median, ratio, table } from './lib.js';

/**
 * The forest section: fit and predict times (100 trees, seed 42), accuracy, model file sizes and peak memory on
 * the 80/20 split (seed 42) of the four shipped data sets and of scikit-learn's
 * `make_classification(n_samples=100000, n_features=20, n_informative=10, random_state=0)`, for Updraft with
 * `nJobs` 1 and 2 and, when Debian's python3-sklearn is installed, scikit-learn with `n_jobs` 1 and 2 on the same
 * rows. Every measurement runs in its own process, so its peak memory (max RSS) is its own.
 */

const SHIPPED: Record<string, () => Dataset> = { iris: loadIris, wine: loadWine, breast_cancer: loadBreastCancer, digits: loadDigits };
const SYNTHETIC = 'make_classification_100k';
const SELF = fileURLToPath(import.meta.url);
const PYTHON_SCRIPT = fileURLToPath(new URL('./python/forest_fit.py', import.meta.url));

/** One implementation's figures on one data set. */
interface Measurement {
  fitSeconds: number[];
  /** CPU seconds (all threads of the process) of each fit: on a busy machine a steadier figure than wall time. */
  fitCpuSeconds: number[];
  predictSeconds: number[];
  accuracy: number;
  /** Our JSON model file, or scikit-learn's joblib file. */
  modelBytes: number;
  onnxBytes?: number;
  /** Max RSS of the process after its fits and predictions, before the model files are written. */
  peakRssMiB: number;
  sklearn?: string;
}

function writeF64(path: string, values: ArrayLike<number>): void {
  const a = Float64Array.from(values);
  writeFileSync(path, new Uint8Array(a.buffer));
}

function readF64(path: string): Float64Array {
  const bytes = readFileSync(path);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function writeSplit(dir: string, d: Dataset): void {
  mkdirSync(dir, { recursive: true });
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(d.data, d.target, { testSize: 0.2, randomState: 42 });
  writeF64(join(dir, 'xTrain.f64'), xTrain.flat());
  writeF64(join(dir, 'xTest.f64'), xTest.flat());
  writeF64(join(dir, 'yTrain.f64'), yTrain);
  writeF64(join(dir, 'yTest.f64'), yTest);
  writeFileSync(join(dir, 'shape.json'), JSON.stringify({ nFeatures: d.data[0]?.length ?? 0 }));
}

function readSplit(dir: string): { xTrain: Float64Array[]; yTrain: number[]; xTest: Float64Array[]; yTest: number[] } {
  const { nFeatures } = JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8')) as { nFeatures: number };
  const rows = (a: Float64Array): Float64Array[] => Array.from({ length: a.length / nFeatures }, (_, i) => a.subarray(i * nFeatures, (i + 1) * nFeatures));
  return { xTrain: rows(readF64(join(dir, 'xTrain.f64'))), yTrain: Array.from(readF64(join(dir, 'yTrain.f64'))), xTest: rows(readF64(join(dir, 'xTest.f64'))), yTest: Array.from(readF64(join(dir, 'yTest.f64'))) };
}

/** The child process's work: `repeats` timed fits after one untimed (JIT warm-up) round; prints a Measurement. */
async function child(dir: string, nJobs: number, repeats: number): Promise<void> {
  const s = readSplit(dir);
  const fits: number[] = [];
  const fitCpu: number[] = [];
  const predicts: number[] = [];
  let model: RandomForestClassifier | undefined;
  let accuracy = 0;
  for (let i = 0; i <= repeats; i++) {
    let t = performance.now();
    const cpu = process.cpuUsage();
    model = new RandomForestClassifier({ nEstimators: 100, randomState: 42, nJobs }).fit(s.xTrain, s.yTrain);
    const fit = (performance.now() - t) / 1000;
    const cpuUsed = process.cpuUsage(cpu);
    t = performance.now();
    const predicted = model.predict(s.xTest);
    const predict = (performance.now() - t) / 1000;
    accuracy = predicted.filter((p, j) => p === s.yTest[j]).length / predicted.length;
    if (i > 0) {
      fits.push(fit);
      fitCpu.push((cpuUsed.user + cpuUsed.system) / 1e6);
      predicts.push(predict);
    }
  }
  if (model === undefined) throw new Error('no model');
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const result: Measurement = {
    fitSeconds: fits,
    fitCpuSeconds: fitCpu,
    predictSeconds: predicts,
    accuracy,
    modelBytes: Buffer.byteLength(serializeModel(model)),
    onnxBytes: exportOnnx(model).length,
    peakRssMiB,
  };
  await closeForestPool();
  console.log(JSON.stringify(result));
}

function runChild(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Measurement {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, env });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Measurement;
}

const ours = (dir: string, nJobs: number, repeats: number): Measurement =>
  runChild(process.execPath, [...process.execArgv, SELF, '--forest-child', dir, String(nJobs), String(repeats)]);

function sklearnEnv(): NodeJS.ProcessEnv {
  // Set on some processors for old OpenBLAS builds; they slow a current numpy down (see the environment notes).
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const theirs = (dir: string, nJobs: number, repeats: number): Measurement => runChild('/usr/bin/python3', [PYTHON_SCRIPT, 'fit', dir, String(nJobs), String(repeats)], sklearnEnv());

const kib = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`);
const mib = (m: Measurement | undefined): string => (m === undefined ? 'n/a' : `${m.peakRssMiB.toFixed(0)} MiB`);
const med = (xs: number[] | undefined): number | null => (xs === undefined ? null : median(xs));
const fmtOrNa = (s: number | null): string => (s === null ? 'n/a' : fmt(s));
const ratioOrNa = (baseline: number | null, us: number | null): string => (baseline === null || us === null ? '' : ratio(baseline, us));

/** Runs the section; `repeats` timed rounds per measurement (at least 3; the 100,000-row set uses exactly 3). */
export function benchForest(repeats: number): Record<string, unknown> {
  const root = mkdtempSync(join(tmpdir(), 'updraft-bench-forest-'));
  try {
    const sklearn = hasSklearn();
    const names = Object.keys(SHIPPED);
    for (const [name, load] of Object.entries(SHIPPED)) writeSplit(join(root, name), load());
    if (sklearn) {
      const r = spawnSync('/usr/bin/python3', [PYTHON_SCRIPT, 'make-data', join(root, SYNTHETIC)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`forest_fit.py make-data failed: ${r.stderr}`);
      names.push(SYNTHETIC);
    }
    const results: Record<string, Record<string, Measurement>> = {};
    for (const name of names) {
      const dir = join(root, name);
      const n = name === SYNTHETIC ? 3 : Math.max(3, repeats);
      const m: Record<string, Measurement> = { ours1: ours(dir, 1, n), ours2: ours(dir, 2, n) };
      if (sklearn) {
        m.sklearn1 = theirs(dir, 1, n);
        m.sklearn2 = theirs(dir, 2, n);
      }
      results[name] = m;
      process.stderr.write(`forest: ${name} done\n`);
    }
    const version = Object.values(results)[0]?.sklearn1?.sklearn ?? null;

    const fitRows = names.map((name) => {
      const r = results[name] ?? {};
      const [o1, o2, s1, s2] = [med(r.ours1?.fitSeconds), med(r.ours2?.fitSeconds), med(r.sklearn1?.fitSeconds), med(r.sklearn2?.fitSeconds)];
      return [name, fmtOrNa(o1), fmtOrNa(s1), ratioOrNa(s1, o1), fmtOrNa(o2), fmtOrNa(s2), ratioOrNa(s2, o2)];
    });
    const cpuRows = names.map((name) => {
      const r = results[name] ?? {};
      const [o1, s1] = [med(r.ours1?.fitCpuSeconds), med(r.sklearn1?.fitCpuSeconds)];
      return [name, fmtOrNa(o1), fmtOrNa(s1), ratioOrNa(s1, o1)];
    });
    const predictRows = names.map((name) => {
      const r = results[name] ?? {};
      const [o1, o2, s1, s2] = [med(r.ours1?.predictSeconds), med(r.ours2?.predictSeconds), med(r.sklearn1?.predictSeconds), med(r.sklearn2?.predictSeconds)];
      return [name, fmtOrNa(o1), fmtOrNa(s1), ratioOrNa(s1, o1), fmtOrNa(o2), fmtOrNa(s2), ratioOrNa(s2, o2)];
    });
    const otherRows = names.map((name) => {
      const r = results[name] ?? {};
      return [
        name,
        r.ours1?.accuracy.toFixed(4) ?? 'n/a',
        r.sklearn1?.accuracy.toFixed(4) ?? 'n/a',
        kib(r.ours1?.modelBytes),
        kib(r.ours1?.onnxBytes),
        kib(r.sklearn1?.modelBytes),
        mib(r.ours1),
        mib(r.sklearn1),
        mib(r.ours2),
        mib(r.sklearn2),
      ];
    });
    const against = version === null ? 'scikit-learn not installed (apt-get install python3-sklearn)' : `scikit-learn ${version}`;
    console.log(`\n## Random forest, 100 trees, seed 42, 80/20 split seed 42; ${against}\n`);
    console.log(`Medians of ${Math.max(3, repeats)} timed rounds (3 for ${SYNTHETIC}); "x faster" is scikit-learn's time over ours.\n`);
    console.log('### Fit\n');
    console.log(table(['data set', 'nJobs 1', 'sklearn n_jobs=1', 'x faster', 'nJobs 2', 'sklearn n_jobs=2', 'x faster'], fitRows));
    console.log('\n### Fit, CPU seconds of the process with one thread (steadier than wall time on a busy machine)\n');
    console.log(table(['data set', 'nJobs 1', 'sklearn n_jobs=1', 'x less CPU'], cpuRows));
    console.log('\n### Predict (test rows)\n');
    console.log(table(['data set', 'nJobs 1', 'sklearn n_jobs=1', 'x faster', 'nJobs 2', 'sklearn n_jobs=2', 'x faster'], predictRows));
    console.log('\n### Accuracy, model files, peak memory (max RSS of the measuring process)\n');
    console.log(table(['data set', 'accuracy', 'sklearn', 'model.json', 'model.onnx', 'sklearn joblib', 'RSS nJobs 1', 'sklearn n_jobs=1', 'RSS nJobs 2', 'sklearn n_jobs=2'], otherRows));
    return { results, sklearnVersion: version };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--forest-child') {
  const [dir, nJobs, repeats] = process.argv.slice(3);
  await child(dir ?? '', Number(nJobs), Number(repeats));
}
