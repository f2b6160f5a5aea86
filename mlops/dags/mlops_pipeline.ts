/**
 * The Airflow MLOps tutorial's pipeline on Updraft: load and clean Iris, train a RandomForest, evaluate it,
 * pass the accuracy through XCom, and write a Markdown report.
 *
 *   preprocess_data >> train_model >> evaluate_model >> generate_report
 */
import { chain, DAG } from '@updraft/core';
import { evaluateModel } from './src/evaluation.js';
import { generateReport } from './src/generate_report.js';
import type { PipelineParams } from './src/paths.js';
import { preprocessData } from './src/preprocessing.js';
import { trainModel } from './src/training.js';

export const dag = new DAG<PipelineParams>({
  dagId: 'mlops_pipeline',
  description: 'Iris: preprocess, train a RandomForest (100 trees, seed 42), evaluate, report',
  defaultArgs: {
    owner: 'mlops-airflow',
    retries: 1,
    // Ten minutes, as the tutorial; chaos tests shorten it with MLOPS_RETRY_DELAY_SECONDS.
    retryDelay: { seconds: Number(process.env.MLOPS_RETRY_DELAY_SECONDS ?? 600) },
  },
  schedule: '@daily',
  // A fixed date, not "now": the scheduler reads the start date each time it parses this file, and a moving one
  // would push the first run forward forever (Airflow's docs warn of the same).
  startDate: '2025-01-01T00:00:00Z',
  catchup: false,
  // The tutorial writes to fixed paths (data/iris.csv, models/model.json, report/...): two runs at once would
  // interleave their files. One run at a time keeps every report true to its own model; each file is still written
  // to a temporary name and renamed, so a reader never sees half a file.
  maxActiveRuns: 1,
  tags: ['mlops', 'iris', 'tutorial'],
  params: {
    output_dir: {
      type: ['string', 'null'],
      default: null,
      description: 'Folder for data/, models/ and report/. Default: $MLOPS_OUTPUT_DIR, else this DAG file\'s folder.',
    },
  },
  docMd: 'Trains a RandomForest on Iris and reports its accuracy; outputs go to `data/`, `models/` and `report/`.',
});

const preprocess = dag.task('preprocess_data', preprocessData);
const train = dag.task('train_model', trainModel);
const evaluate = dag.task('evaluate_model', evaluateModel);
const report = dag.task('generate_report', generateReport);

chain(preprocess, train, evaluate, report);
