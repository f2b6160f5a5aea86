import { type DAG, formatDuration, type TaskInstanceState } from '@updraft/core';
import type { DagTestEvent, DagTestResult } from '@updraft/engine';
import { paint } from './output.js';

const MARK: Partial<Record<TaskInstanceState, [string, Parameters<typeof paint>[0]]>> = {
  running: ['▶', 'cyan'],
  success: ['✔', 'green'],
  failed: ['✘', 'red'],
  up_for_retry: ['↻', 'yellow'],
  upstream_failed: ['✘', 'yellow'],
  skipped: ['»', 'gray'],
};

/** Prints a test run as it goes: each state change with try and duration, the task logs, then XComs and the result. */
export function createRunReporter(dag: DAG, options: { quiet: boolean }): { onEvent: (e: DagTestEvent) => void; finish: (r: DagTestResult) => void } {
  const width = Math.max(...dag.taskIds.map((id) => id.length), 8);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  return {
    onEvent(e) {
      if (e.type === 'log') {
        if (!options.quiet) out(paint('gray', `  ${e.taskId.padEnd(width)}  ${e.record.level.toUpperCase().padEnd(5)} ${e.record.message}`));
        return;
      }
      const [mark, color] = MARK[e.state] ?? ['·', 'white'];
      const detail = [
        `try ${e.tryNumber}`,
        e.durationMs !== undefined ? formatDuration(e.durationMs) : '',
        e.nextTryInMs !== undefined ? `next try in ${formatDuration(e.nextTryInMs)}` : '',
        e.reason ?? '',
        e.error && e.state !== 'running' ? `${e.error.name}: ${e.error.message}` : '',
      ].filter(Boolean);
      out(`${paint(color, mark)} ${e.taskId.padEnd(width)}  ${paint(color, e.state.padEnd(15))} ${detail.join(' · ')}`);
    },
    finish(r) {
      if (r.xcoms.length > 0) {
        out(`\n${paint('bold', 'XComs')}`);
        for (const x of r.xcoms) {
          const text = JSON.stringify(x.value);
          out(`  ${x.taskId.padEnd(width)}  ${x.key.padEnd(14)} ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`);
        }
      }
      const took = formatDuration(r.endDate.getTime() - r.startDate.getTime());
      const color = r.state === 'success' ? 'green' : 'red';
      out(`\nDAG run ${r.dagId} / ${r.runId}: ${paint(color, r.state)} in ${took}`);
    },
  };
}
