// Prints `N passed, N failed, N skipped` from Vitest's JSON report; a missing or unreadable report counts as a failure.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
// Steps before the tests (lint, type check) that failed, each counted as one failure.
const stepsFailed = Number(process.argv[3] ?? 0);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`no test report at ${file}: ${e.message}`);
  console.log(`0 passed, ${1 + stepsFailed} failed`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that fails before its tests run (an import error) has no failed test of its own: count it once.
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles + stepsFailed;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
