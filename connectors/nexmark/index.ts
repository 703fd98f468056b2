// The nexmark connector's public surface: options (config.ts), the combined-table schema (schema.ts) and the
// per-split event generator (generator.ts) that a source will wrap.
export * from './config.js';
export * from './schema.js';
export * from './generator.js';
export { Prng, type PrngState } from './prng.js';
