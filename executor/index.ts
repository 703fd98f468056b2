// The runtime's public API: the data model every other layer builds on, and (growing with each issue) the
// DataStream execution layer. Other layers import from here, not from the runtime's internals.
export * from './types/logical-type.js';
export * from './types/schema.js';
export * from './types/row-kind.js';
export * from './batch/validity.js';
export * from './batch/column.js';
export * from './batch/batch.js';
export * from './batch/arrow.js';
export * from './runtime/operator.js';
export * from './runtime/calc-operator.js';
export * from './runtime/pipeline.js';
export * from './runtime/watermark-assigner.js';
export * from './types/text.js';
