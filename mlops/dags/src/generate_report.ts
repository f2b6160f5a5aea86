import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { FailTaskError, type TaskContext } from '@updraft/core';
import { writeFileAtomically } from '@updraft/ml';
import type { EvaluationMetrics } from './evaluation.js';
import { type PipelineParams, pipelinePaths } from './paths.js';

/**
 * `generate_report`: pulls `accuracy` (and the metrics) from `evaluate_model` and writes
 * `report/model_accuracy_report.md`. Fails at once, without retrying, when the accuracy is absent: a retry could
 * not make it appear.
 */
export async function generateReport(ctx: TaskContext<PipelineParams>): Promise<string> {
  const paths = pipelinePaths(ctx);
  const accuracy = await ctx.ti.xcomPull<number>({ taskIds: 'evaluate_model', key: 'accuracy' });
  if (typeof accuracy !== 'number') {
    throw new FailTaskError("no XCom 'accuracy' from evaluate_model in this run: run evaluate_model first (tasks test runs a task alone, without XComs)");
  }
  const metrics = (await ctx.ti.xcomPull({ taskIds: 'evaluate_model', key: 'metrics' })) as EvaluationMetrics | undefined;
  const onnxFile = join(dirname(paths.modelFile), 'model.onnx');
  const text = renderReport({
    runId: ctx.runId,
    accuracy,
    metrics,
    dataFile: relative(paths.baseDir, paths.dataFile),
    modelFile: relative(paths.baseDir, paths.modelFile),
    onnxFile: existsSync(onnxFile) ? relative(paths.baseDir, onnxFile) : undefined,
  });
  mkdirSync(dirname(paths.reportFile), { recursive: true });
  // Through a temporary file and a rename: a reader (the UI, a person) never sees half a report.
  await writeFileAtomically(paths.reportFile, text);
  ctx.log.info('Wrote %s (accuracy %s)', relative(process.cwd(), paths.reportFile), accuracy);
  return paths.reportFile;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const fixed = (x: number): string => x.toFixed(4);

/** The report's Markdown. Deterministic: the same inputs give the same bytes. */
export function renderReport(r: { runId: string; accuracy: number; metrics: EvaluationMetrics | undefined; dataFile: string; modelFile: string; onnxFile?: string | undefined }): string {
  const m = r.metrics;
  const lines: string[] = ['# Model accuracy report', '', `Run \`${r.runId}\` of DAG \`mlops_pipeline\`.`, ''];
  lines.push(`**Accuracy: ${fixed(r.accuracy)}** (${pct(r.accuracy)}${m ? ` of ${m.data.testRows} test rows` : ''})`, '');
  if (!m) return `${lines.join('\n')}\n`;
  const correct = m.confusionMatrix.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  lines.push(
    '## Data',
    '',
    '| | |',
    '|---|---|',
    `| File | \`${r.dataFile}\` |`,
    `| Rows | ${m.data.rows} |`,
    `| Features | ${m.data.features.map((f) => `\`${f}\``).join(', ')} |`,
    `| Classes | ${m.classNames.join(', ')} |`,
    `| Split | ${m.data.trainRows} train / ${m.data.testRows} test (test size ${m.data.testSize}, random state ${m.data.randomState}) |`,
    '',
    '## Model',
    '',
    `\`${r.modelFile}\`: ${typeof m.model.type === 'string' ? m.model.type : 'model'}`,
    '',
    ...(r.onnxFile === undefined ? [] : [`\`${r.onnxFile}\`: the same forest as an ONNX model (\`ai.onnx.ml\` TreeEnsembleClassifier), for any ONNX runtime`, '']),
    '| Parameter | Value |',
    '|---|---|',
    ...Object.entries(m.model)
      .filter(([k]) => k !== 'type')
      .map(([k, v]) => `| ${k} | ${v === null ? 'None' : typeof v === 'object' ? JSON.stringify(v) : String(v)} |`),
    '',
    '## Confusion matrix',
    '',
    `Rows are true classes, columns predicted ones; ${correct} of ${m.data.testRows} on the diagonal.`,
    '',
    `| true \\ predicted | ${m.classNames.join(' | ')} |`,
    `|---|${m.classNames.map(() => '---:').join('|')}|`,
    ...m.confusionMatrix.map((row, i) => `| **${m.classNames[i] ?? i}** | ${row.join(' | ')} |`),
    '',
    '## Per-class metrics',
    '',
    '| Class | Precision | Recall | F1-score | Support |',
    '|---|---:|---:|---:|---:|',
    ...m.perClass.map((c) => `| ${c.className} | ${fixed(c.precision)} | ${fixed(c.recall)} | ${fixed(c.f1)} | ${c.support} |`),
    `| *macro avg* | ${fixed(m.macroAvg.precision)} | ${fixed(m.macroAvg.recall)} | ${fixed(m.macroAvg.f1)} | ${m.data.testRows} |`,
    `| *weighted avg* | ${fixed(m.weightedAvg.precision)} | ${fixed(m.weightedAvg.recall)} | ${fixed(m.weightedAvg.f1)} | ${m.data.testRows} |`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
