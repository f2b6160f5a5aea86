export { main } from './main.js';
export { buildProgram } from './program.js';
export { CliError } from './errors.js';
