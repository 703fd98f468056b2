// The closed union of all statements. A switch over `Statement['kind']` with a `never` default is how every
// consumer (binder, unparser, REPL) proves it handles each kind.
import type { AlterTable, AlterView, CreateCatalog, CreateDatabase, CreateFunction, CreateTable, CreateTableAs, CreateView, Drop } from './ddl.js';
import type { Insert, QueryStatement, StatementSet } from './dml.js';
import type { Describe, Explain, Help, Quit, ResetStatement, SetStatement, ShowCreate, ShowStatement, StopJob, UseStatement } from './utility.js';

export type Statement =
  | CreateTable
  | CreateTableAs
  | CreateView
  | CreateFunction
  | CreateCatalog
  | CreateDatabase
  | Drop
  | AlterTable
  | AlterView
  | Insert
  | StatementSet
  | QueryStatement
  | SetStatement
  | ResetStatement
  | ShowStatement
  | ShowCreate
  | Describe
  | Explain
  | UseStatement
  | StopJob
  | Help
  | Quit;

export type StatementKind = Statement['kind'];
