import { InProcessExecutor } from '../../src/index.js';
import { runExecutorSuite } from './suite.js';

runExecutorSuite({ name: 'InProcessExecutor', newExecutor: (o) => new InProcessExecutor(o) });
