export { RandomState, SeedError, validateSeed, type ShuffleTarget } from './random/random-state.js';
