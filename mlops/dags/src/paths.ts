import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskContext } from '@updraft/core';

/** The pipeline's params. */
export type PipelineParams = {
  /** Folder for data/, models/ and report/; null for the default. */
  output_dir: string | null;
};

/** Where the tutorial's files go, relative to one base folder, as in the tutorial's `dags/` folder. */
export interface PipelinePaths {
  baseDir: string;
  dataFile: string;
  modelFile: string;
  reportFile: string;
}

/** The DAGs folder: the tutorial writes its files beside its DAG file. */
const DAGS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Resolves the output folder: the `output_dir` param (a run's conf), else `$MLOPS_OUTPUT_DIR`, else the DAGs folder.
 * Tests point it at a temporary folder so they never write into the repository.
 */
export function pipelinePaths(ctx: Pick<TaskContext<PipelineParams>, 'params'>): PipelinePaths {
  const baseDir = resolve(ctx.params.output_dir ?? process.env.MLOPS_OUTPUT_DIR ?? DAGS_FOLDER);
  return {
    baseDir,
    dataFile: join(baseDir, 'data', 'iris.csv'),
    modelFile: join(baseDir, 'models', 'model.json'),
    reportFile: join(baseDir, 'report', 'model_accuracy_report.md'),
  };
}

/** The split and forest settings the tutorial uses; training and evaluation must agree on them. */
export const SPLIT = { testSize: 0.2, randomState: 42 } as const;
export const FOREST = { nEstimators: 100, randomState: 42 } as const;
