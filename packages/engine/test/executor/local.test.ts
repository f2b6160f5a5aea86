import { LocalExecutor } from '../../src/index.js';
import { runExecutorSuite } from './suite.js';

runExecutorSuite({ name: 'LocalExecutor', newExecutor: (o) => new LocalExecutor({ ...o, poolSize: 1, killGraceMs: 2000 }) });
