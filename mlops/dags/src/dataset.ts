import { existsSync } from 'node:fs';
import { readCsv, toXy, trainTestSplit } from '@updraft/ml';
import { SPLIT } from './paths.js';

/** A clear failure of the pipeline: a missing input or output of an earlier task. */
export class PipelineInputError extends Error {
  override name = 'PipelineInputError';
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

/** The tutorial's data, split 80/20 with seed 42 exactly as scikit-learn splits it. */
export interface IrisSplit {
  featureNames: string[];
  nRows: number;
  xTrain: number[][];
  xTest: number[][];
  yTrain: number[];
  yTest: number[];
}

/**
 * Reads `data/iris.csv` (validated: header, numbers, row lengths) and splits it.
 * @throws PipelineInputError when the file is missing: preprocess_data has not run.
 */
export function loadIrisSplit(dataFile: string): IrisSplit {
  if (!existsSync(dataFile)) {
    throw new PipelineInputError(dataFile, `data file ${dataFile} not found: run preprocess_data first`);
  }
  const { X, y, featureNames } = toXy(readCsv(dataFile), 'target');
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(X, y, SPLIT);
  return { featureNames, nRows: X.length, xTrain, xTest, yTrain, yTest };
}
