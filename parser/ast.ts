// The typed AST of the Flink SQL dialect: closed discriminated unions keyed by `kind`, every node with the
// source span it was parsed from. One file per area under ast/; the parser produces it, the planner's binder
// and the unparser consume it.
export type * from './ast/names.js';
export type * from './ast/types.js';
export type * from './ast/expr.js';
export type * from './ast/query.js';
export type * from './ast/ddl.js';
export type * from './ast/dml.js';
export type * from './ast/utility.js';
export type * from './ast/statement.js';
