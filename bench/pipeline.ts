import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt, hasSklearn, median, ratio, table, timeCommand } from './lib.js';

const repo = resolve(import.meta.dirname, '..');

/**
 * The tutorial pipeline end to end, process start to exit: `updraft dags test mlops_pipeline` against the
 * tutorial's four functions in bare Python (pandas + scikit-learn), when Debian's python3-sklearn is installed.
 */
export function benchPipeline(repeats: number): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), 'updraft-bench-'));
  try {
    const env = { ...process.env, MLOPS_OUTPUT_DIR: out, NO_COLOR: '1' };
    const cli = [join(repo, 'packages/cli/dist/bin.js'), 'dags', 'test', 'mlops_pipeline', '--dags-folder', join(repo, 'mlops/dags'), '--quiet'];
    timeCommand(process.execPath, cli, { env, repeats: 1 }); // warm the transform cache and the file system
    const ours = median(timeCommand(process.execPath, cli, { env, repeats }));
    const result: Record<string, unknown> = { updraftSeconds: ours, repeats };
    const rows = [['updraft dags test mlops_pipeline', fmt(ours), '']];
    if (hasSklearn(true)) {
      const py = ['/usr/bin/python3', join(repo, 'bench/python/mlops_bare.py'), out] as const;
      timeCommand(py[0], py.slice(1), { repeats: 1 });
      const python = median(timeCommand(py[0], py.slice(1), { repeats }));
      result.pythonSeconds = python;
      result.speedup = python / ours;
      rows.push(['bare Python + scikit-learn (4 functions)', fmt(python), ''], ['python / updraft', '', ratio(python, ours)]);
    } else {
      rows.push(['bare Python + scikit-learn', 'skipped: /usr/bin/python3 lacks scikit-learn or pandas (apt-get install python3-sklearn python3-pandas)', '']);
    }
    console.log(`\n## Pipeline end to end (median of ${repeats}, process start to exit)\n`);
    console.log(table(['what', 'median', 'ratio'], rows));
    return result;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
