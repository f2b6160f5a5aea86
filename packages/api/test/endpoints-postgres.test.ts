import { endpointSuite } from './support/endpoint-suite.js';
import { postgresTarget } from './support/targets.js';

// UPDRAFT_TEST_DATABASE_URL names the server; each fixture gets its own schema, dropped afterwards.
endpointSuite(await postgresTarget());
