import { describe } from 'vitest';
import type { StoreSuiteTarget } from './suite/harness.js';
import { concurrencyTests } from './suite/concurrency.js';
import { dagRunTests } from './suite/dag-runs.js';
import { dagTests } from './suite/dags.js';
import { misc } from './suite/misc.js';
import { taskInstanceTests } from './suite/task-instances.js';
import { xcomLimitTests, xcomTests } from './suite/xcoms.js';

export type { StoreHandle, StoreSuiteTarget } from './suite/harness.js';

/** The behaviour every `MetadataStore` adapter must show, run for real against one database. */
export function runStoreSuite(target: StoreSuiteTarget): void {
  describe.skipIf(target.skipReason !== undefined)(`MetadataStore conformance: ${target.name}`, () => {
    describe('DAGs, serialized DAGs, import errors', () => dagTests(target));
    describe('DAG runs', () => dagRunTests(target));
    describe('task instances', () => taskInstanceTests(target));
    describe('XComs', () => xcomTests(target));
    describe('XCom size option', () => xcomLimitTests(target));
    describe('audit log, jobs, migrations, errors', () => misc(target));
    describe('concurrency', () => concurrencyTests(target));
  });
}
