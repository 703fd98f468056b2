// The planner's public API: the TableEnvironment, results, the catalog and its connector factory interface.
export * from './api/table-environment.js';
export * from './api/table-result.js';
export * from './catalog/catalog.js';
export * from './catalog/factory.js';
export { ExpressionError } from './codegen/helpers.js';
