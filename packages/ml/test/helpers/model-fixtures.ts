/** Typed access to the scikit-learn fixtures in test/fixtures/model (see generate.py there). */
import { readFileSync } from 'node:fs';
import type { DatasetName } from './reference-data.js';
import { REFERENCE_DIR } from './reference-data.js';

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

const FIXTURES = new URL('../fixtures/model/', import.meta.url);

export interface SplitFixture {
  readonly train: number[];
  readonly test: number[];
  /** scikit-learn's RandomForestClassifier(100, random_state=42) test accuracy. */
  readonly accuracy: number;
  readonly feature_importances: number[];
  readonly y_pred: number[];
}

export function splitFixture(name: DatasetName): SplitFixture {
  return readJson<Record<DatasetName, SplitFixture>>(new URL('splits.json', FIXTURES).pathname)[name];
}

export interface IrisReferenceSplit {
  readonly train_indices: number[];
  readonly test_indices: number[];
  readonly random_forest: { readonly test_accuracy: number; readonly confusion_matrix: number[][] };
}

export function irisReferenceSplit(): IrisReferenceSplit {
  return readJson<IrisReferenceSplit>(`${REFERENCE_DIR}/iris_split_42.json`);
}

export interface TreeFixture {
  readonly dataset: DatasetName;
  readonly criterion: 'gini' | 'entropy';
  readonly max_depth: number;
  readonly min_samples_leaf: number;
  readonly min_samples_split: number;
  readonly tree: {
    readonly feature: number[];
    readonly threshold: number[];
    readonly left: number[];
    readonly right: number[];
    readonly values: number[];
    readonly feature_importances: number[];
  };
}

export function treeFixtures(): TreeFixture[] {
  return readJson<TreeFixture[]>(new URL('trees.json', FIXTURES).pathname);
}

type Label = number | string;

export interface MetricsFixture {
  readonly name: string;
  readonly y_true: Label[];
  readonly y_pred: Label[];
  readonly labels: Label[] | null;
  readonly target_names: string[] | null;
  readonly digits: number;
  readonly accuracy: number;
  readonly confusion_matrix: number[][];
  readonly confusion_labels: Label[] | null;
  readonly prfs: { precision: number[]; recall: number[]; fscore: number[]; support: number[] };
  readonly ill_defined_precision: Label[];
  readonly ill_defined_recall: Label[];
  readonly report_text: string;
  readonly report_dict: Record<string, unknown>;
}

export function metricsFixtures(): MetricsFixture[] {
  return readJson<MetricsFixture[]>(new URL('metrics.json', FIXTURES).pathname);
}
