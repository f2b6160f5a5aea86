/**
 * What the mock API serves: DAGs with tasks, params, source, and the behaviour of each task when the mock's
 * simulated scheduler runs it (log lines, XComs, outcome).
 */

/** What one task does in the simulation. */
export interface MockTask {
  task_id: string;
  downstream: string[];
  /** Log lines written one per step while it runs. */
  log: string[];
  /** XComs pushed when it succeeds (`return_value` among them, if any). */
  xcoms?: Record<string, unknown>;
  /** Fails instead of succeeding. */
  fails?: boolean;
  /** Stops after its first log line until the test calls `MockApi.release` (to watch a running try). */
  hold?: boolean;
}

/** One DAG of the fixture. */
export interface MockDag {
  dag_id: string;
  description: string | null;
  tags: string[];
  owners: string[];
  schedule: string | null;
  is_paused: boolean;
  params: Record<string, { value: unknown; description: string | null; schema: Record<string, unknown> }>;
  doc_md: string | null;
  fileloc: string;
  source: string;
  tasks: MockTask[];
  /** Finished runs made at start, all tasks successful, one a day back from now. */
  historyRuns: number;
}

/** The whole fixture. */
export interface MockFixture {
  dags: MockDag[];
  importErrors: { filename: string; stack_trace: string }[];
  /** Output folder name to files (path inside the folder to text). */
  outputs: Record<string, Record<string, string>>;
}

export const REPORT_PATH = '/srv/updraft/mlops/report/model_accuracy_report.md';

/** The tutorial's report of a run, with an HTML script that the UI must not run. */
export const reportMarkdown = (runId: string): string => [
  '# Model accuracy report',
  '',
  `Run \`${runId}\` of DAG \`mlops_pipeline\`.`,
  '',
  '**Accuracy: 1.0000** (100.00% of 30 test rows)',
  '',
  '| Class | Precision | Recall |',
  '|---|---:|---:|',
  '| setosa | 1.0000 | 1.0000 |',
  '| versicolor | 1.0000 | 1.0000 |',
  '| virginica | 1.0000 | 1.0000 |',
  '',
  '<script>window.__reportScriptRan = true</script>',
  '<img src="x" onerror="window.__reportScriptRan = true">',
  '',
].join('\n');

const MLOPS_SOURCE = `import { chain, DAG } from '@updraft/core';

export const dag = new DAG({
  dagId: 'mlops_pipeline',
  schedule: '@daily',
  startDate: '2025-01-01T00:00:00Z',
  catchup: false,
});

const preprocess = dag.task('preprocess_data', preprocessData);
const train = dag.task('train_model', trainModel);
const evaluate = dag.task('evaluate_model', evaluateModel);
const report = dag.task('generate_report', generateReport);

chain(preprocess, train, evaluate, report);
`;

/** The tutorial DAG, a DAG whose texts carry `<script>`, and an import error. */
export function tutorialFixture(options: { historyRuns?: number; extraDags?: number } = {}): MockFixture {
  const mlops: MockDag = {
    dag_id: 'mlops_pipeline',
    description: 'Iris: preprocess, train a RandomForest (100 trees, seed 42), evaluate, report',
    tags: ['iris', 'mlops', 'tutorial'],
    owners: ['mlops-airflow'],
    schedule: '@daily',
    is_paused: true,
    params: {
      output_dir: { value: null, description: 'Folder for data/, models/ and report/.', schema: { type: ['string', 'null'] } },
    },
    doc_md: 'Trains a RandomForest on Iris and reports its accuracy.',
    fileloc: '/srv/updraft/mlops/dags/mlops_pipeline.ts',
    source: MLOPS_SOURCE,
    historyRuns: options.historyRuns ?? 3,
    tasks: [
      { task_id: 'preprocess_data', downstream: ['train_model'], log: ['Loading Iris', 'Wrote data/iris.csv (150 rows)'], xcoms: { return_value: '/srv/updraft/mlops/data/iris.csv' } },
      {
        task_id: 'train_model',
        downstream: ['evaluate_model'],
        log: ['Training RandomForestClassifier(n_estimators=100, random_state=42)', 'Fitted 100 trees', 'Saved models/model.json'],
        xcoms: { return_value: '/srv/updraft/mlops/models/model.json' },
      },
      { task_id: 'evaluate_model', downstream: ['generate_report'], log: ['Model accuracy: 1'], xcoms: { accuracy: 1, return_value: 1 } },
      { task_id: 'generate_report', downstream: [], log: ['Wrote report/model_accuracy_report.md (accuracy 1)'], xcoms: { return_value: REPORT_PATH } },
    ],
  };
  const probe: MockDag = {
    dag_id: 'xss_probe',
    description: '<script>window.__xss = "description"</script><b>bold?</b>',
    tags: ['security'],
    owners: ['qa'],
    schedule: null,
    is_paused: false,
    params: { times: { value: 1, description: 'How often to echo.', schema: { type: 'integer', minimum: 1 } } },
    doc_md: null,
    fileloc: '/srv/updraft/dags/xss_probe.ts',
    source: '// <script>window.__xss = "source"</script>\n',
    historyRuns: 1,
    tasks: [{ task_id: 'echo', downstream: [], log: ['<script>window.__xss = "log"</script>', '<img src=x onerror="window.__xss = 1">'] }],
  };
  const streaming: MockDag = {
    dag_id: 'streaming_logs',
    description: 'One task that writes its log while the test watches',
    tags: ['demo'],
    owners: ['qa'],
    schedule: null,
    is_paused: false,
    params: {},
    doc_md: null,
    fileloc: '/srv/updraft/dags/streaming_logs.ts',
    source: '',
    historyRuns: 0,
    tasks: [{ task_id: 'stream', downstream: [], log: ['first line', 'second line', 'third line'], hold: true }],
  };
  const extra: MockDag[] = Array.from({ length: options.extraDags ?? 0 }, (_, i) => ({
    dag_id: `etl_${String(i).padStart(3, '0')}`,
    description: `Extract, transform, load #${i}`,
    tags: [i % 2 === 0 ? 'etl' : 'reporting'],
    owners: ['data'],
    schedule: '0 * * * *',
    is_paused: i % 3 === 0,
    params: {},
    doc_md: null,
    fileloc: `/srv/updraft/dags/etl_${i}.ts`,
    source: '',
    historyRuns: 5,
    tasks: [
      { task_id: 'extract', downstream: ['load'], log: ['extract'] },
      { task_id: 'load', downstream: [], log: ['load'] },
    ],
  }));
  return {
    dags: [mlops, probe, streaming, ...extra],
    importErrors: [
      {
        filename: '/srv/updraft/dags/broken_dag.ts',
        stack_trace: "DagImportError: /srv/updraft/dags/broken_dag.ts:7:3: Expected ';' but found 'task'\n    at load (/srv/updraft/dags/broken_dag.ts:7:3)",
      },
    ],
    outputs: { report: {}, data: {} },
  };
}
