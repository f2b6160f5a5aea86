import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { TaskContext } from '@updraft/core';
import { RandomForestClassifier, saveModel, saveOnnx } from '@updraft/ml';
import { loadIrisSplit } from './dataset.js';
import { FOREST, type PipelineParams, pipelinePaths } from './paths.js';

/**
 * `train_model`: splits `data/iris.csv` 80/20 (seed 42), trains 100 trees (seed 42) and saves
 * `models/model.json` atomically, so a crash mid-write never leaves a half-written model, and the same forest as
 * `models/model.onnx` for any ONNX runtime.
 */
export async function trainModel(ctx: TaskContext<PipelineParams>): Promise<{ trainRows: number; testRows: number; modelFile: string }> {
  const paths = pipelinePaths(ctx);
  const split = loadIrisSplit(paths.dataFile);
  ctx.log.info('Training RandomForestClassifier(nEstimators=%d, randomState=%d) on %d rows', FOREST.nEstimators, FOREST.randomState, split.xTrain.length);
  const model = new RandomForestClassifier(FOREST).fit(split.xTrain, split.yTrain);
  mkdirSync(dirname(paths.modelFile), { recursive: true });
  await saveModel(paths.modelFile, model);
  ctx.log.info('Saved %s', relative(process.cwd(), paths.modelFile));
  const onnxFile = join(dirname(paths.modelFile), 'model.onnx');
  await saveOnnx(onnxFile, model);
  ctx.log.info('Saved %s', relative(process.cwd(), onnxFile));
  return { trainRows: split.xTrain.length, testRows: split.xTest.length, modelFile: paths.modelFile };
}
