// Freshet's public API: the package entry (`import { TableEnvironment } from 'freshet'`).
//
//   SQL text ──parser──▶ AST ──planner/binder──▶ logical plan ──lowering──▶ runtime operators
//                                                                             (executor/)
//   connectors/ plug sources and sinks in through the catalog's factory registry.
import './connectors/index.js';

export { TableEnvironment, TableResult, Catalog, FactoryRegistry, defaultFactories, ExpressionError } from './planner/index.js';
export type { Change, EnvironmentSettings, DynamicTableFactory, OptionSpec, SourceContext, SinkContext, CatalogTable } from './planner/index.js';
export {
  parseStatements,
  parseStatement,
  parseWithRecovery,
  formatStatement,
  formatScript,
  complete,
  endsWithStatementTerminator,
  SqlError,
  ParseError,
  ValidationError,
  UnsupportedError,
} from './parser/index.js';
export type { Statement, Span, ParseResult, Completion } from './parser/index.js';
export * from './executor/index.js';
// The fluent Table API.
export { Table, GroupedTable, GroupWindowedTable, WindowGroupedTable, type FieldLike } from './planner/api/table.js';
export { Expression, $, lit, call, currentWatermark, ifThenElse, Tumble, Slide, Session, type ExpressionLike, type GroupWindow } from './planner/api/expressions.js';
export { DataTypes } from './planner/api/data-types.js';
export { ScalarFunction, TableFunction, AggregateFunction, type FunctionDefinition, type DeclaredType } from './planner/api/functions.js';
export { OverWindowedTable, AggregatedTable } from './planner/api/table.js';
export { Over, UNBOUNDED_RANGE, UNBOUNDED_ROW, CURRENT_RANGE, CURRENT_ROW, type OverWindow } from './planner/api/expressions.js';
export { StatementSet } from './planner/api/statement-set.js';
// The values connector's test helpers (Flink's TestValuesTableFactory shape), for embedding users' tests.
export { registerData, getResults, getRawResults, clearValues, type ValuesRow } from './connectors/index.js';
