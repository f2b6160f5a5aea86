import { existsSync } from 'node:fs';
import type { JsonValue, TaskContext } from '@updraft/core';
import { accuracyScore, classificationReport, confusionMatrix, loadIris, loadModel, type ResolvedForestOptions } from '@updraft/ml';
import { loadIrisSplit, PipelineInputError } from './dataset.js';
import { type PipelineParams, pipelinePaths, SPLIT } from './paths.js';

/** What `evaluate_model` hands to the report, as XCom `metrics`. */
export interface EvaluationMetrics {
  accuracy: number;
  confusionMatrix: number[][];
  classNames: string[];
  perClass: { className: string; precision: number; recall: number; f1: number; support: number }[];
  macroAvg: { precision: number; recall: number; f1: number };
  weightedAvg: { precision: number; recall: number; f1: number };
  data: { rows: number; features: string[]; trainRows: number; testRows: number; testSize: number; randomState: number };
  model: Record<string, JsonValue>;
}

/**
 * `evaluate_model`: loads the model and the test split, logs the accuracy and pushes it as XCom `accuracy`
 * (the tutorial's contract), with the full metrics as XCom `metrics` for the report.
 */
export async function evaluateModel(ctx: TaskContext<PipelineParams>): Promise<number> {
  const paths = pipelinePaths(ctx);
  if (!existsSync(paths.modelFile)) {
    throw new PipelineInputError(paths.modelFile, `model file ${paths.modelFile} not found: run train_model first`);
  }
  const model = await loadModel(paths.modelFile);
  const split = loadIrisSplit(paths.dataFile);
  const predicted = model.predict(split.xTest);
  const accuracy = accuracyScore(split.yTest, predicted);
  ctx.log.info('Model accuracy: %s', accuracy);
  const irisNames = loadIris().targetNames;
  const labels = [...model.classes];
  const classNames = labels.map((c) => irisNames[c] ?? String(c));
  const report = classificationReport(split.yTest, predicted, { labels, targetNames: classNames });
  const metrics: EvaluationMetrics = {
    accuracy,
    confusionMatrix: confusionMatrix(split.yTest, predicted, { labels }),
    classNames,
    perClass: report.classes.map((c) => ({ className: c.name, precision: c.precision, recall: c.recall, f1: c.f1Score, support: c.support })),
    macroAvg: { precision: report.macroAvg.precision, recall: report.macroAvg.recall, f1: report.macroAvg.f1Score },
    weightedAvg: { precision: report.weightedAvg.precision, recall: report.weightedAvg.recall, f1: report.weightedAvg.f1Score },
    data: { rows: split.nRows, features: split.featureNames, trainRows: split.xTrain.length, testRows: split.xTest.length, testSize: SPLIT.testSize, randomState: SPLIT.randomState },
    model: { type: 'RandomForestClassifier', ...sklearnParams(model.options) },
  };
  await ctx.ti.xcomPush('metrics', metrics);
  await ctx.ti.xcomPush('accuracy', accuracy);
  return accuracy;
}

/** The forest's settings under scikit-learn's names, as the tutorial's readers know them. */
function sklearnParams(o: ResolvedForestOptions): Record<string, JsonValue> {
  return {
    n_estimators: o.nEstimators,
    random_state: o.randomState,
    max_features: o.maxFeatures,
    bootstrap: o.bootstrap,
    max_depth: o.maxDepth,
    min_samples_split: o.minSamplesSplit,
    min_samples_leaf: o.minSamplesLeaf,
    criterion: o.criterion,
  };
}
