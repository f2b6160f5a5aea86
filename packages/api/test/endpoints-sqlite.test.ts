import { endpointSuite } from './support/endpoint-suite.js';
import { sqliteTarget } from './support/targets.js';

endpointSuite(sqliteTarget);
