// test-summary.mjs: prints vitest's JSON report as the plain `N passed, N failed` line CI reads.
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log(`test report ${path} unreadable: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// A test file that failed with no failed test in it (e.g. its beforeAll threw, so its tests
// were skipped) counts as one failure too.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && !file.assertionResults?.some((t) => t.status === 'failed'),
).length;
const failed = report.numFailedTests + brokenFiles;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
process.exit(failed === 0 && report.success !== false ? 0 : 1);
