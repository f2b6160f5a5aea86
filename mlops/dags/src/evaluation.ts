import { existsSync } from 'node:fs';
import type { JsonValue, TaskContext } from '@updraft/core';
import { accuracyScore, classificationReport, confusionMatrix, loadIris, loadModel } from '@updraft/ml';
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
  const model = loadModel(paths.modelFile);
  const split = loadIrisSplit(paths.dataFile);
  const predicted = model.predict(split.xTest);
  const accuracy = accuracyScore(split.yTest, predicted);
  ctx.log.info('Model accuracy: %s', accuracy);
  const classNames = loadIris().targetNames;
  const labels = model.classes;
  const report = classificationReport(split.yTest, predicted, { labels, targetNames: labels.map((c) => classNames[c] ?? String(c)) });
  const metrics: EvaluationMetrics = {
    accuracy,
    confusionMatrix: confusionMatrix(split.yTest, predicted, { labels }),
    classNames: labels.map((c) => classNames[c] ?? String(c)),
    perClass: report.classes.map((c) => ({ className: c.label, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support })),
    macroAvg: { precision: report.macroAvg.precision, recall: report.macroAvg.recall, f1: report.macroAvg.f1 },
    weightedAvg: { precision: report.weightedAvg.precision, recall: report.weightedAvg.recall, f1: report.weightedAvg.f1 },
    data: { rows: split.nRows, features: split.featureNames, trainRows: split.xTrain.length, testRows: split.xTest.length, testSize: SPLIT.testSize, randomState: SPLIT.randomState },
    model: { type: 'RandomForestClassifier', ...(model.params as Record<string, JsonValue>) },
  };
  await ctx.ti.xcomPush('metrics', metrics);
  await ctx.ti.xcomPush('accuracy', accuracy);
  return accuracy;
}
