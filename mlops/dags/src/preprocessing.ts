import { mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { TaskContext } from '@updraft/core';
import { loadIris, writeCsv } from '@updraft/ml';
import { type PipelineParams, pipelinePaths } from './paths.js';

/**
 * `preprocess_data`: loads Iris as scikit-learn ships it, drops incomplete rows, and writes `data/iris.csv` as
 * pandas `to_csv(index=False)` would (the same bytes).
 */
export function preprocessData(ctx: TaskContext<PipelineParams>): { rows: number; path: string } {
  const paths = pipelinePaths(ctx);
  const iris = loadIris();
  const rows: number[][] = [];
  iris.data.forEach((features, i) => {
    const target = iris.target[i];
    if (target !== undefined && features.every(Number.isFinite)) rows.push([...features, target]);
  });
  const dropped = iris.data.length - rows.length;
  mkdirSync(dirname(paths.dataFile), { recursive: true });
  writeCsv(paths.dataFile, {
    columns: [...iris.featureNames, 'target'],
    rows,
    dtypes: [...iris.featureNames.map(() => 'float' as const), 'int' as const],
  });
  ctx.log.info('Wrote %s: %d rows, %d features (%d incomplete rows dropped)', relative(process.cwd(), paths.dataFile), rows.length, iris.featureNames.length, dropped);
  return { rows: rows.length, path: paths.dataFile };
}
