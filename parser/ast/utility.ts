// Utility statements of the SQL client and TableEnvironment: configuration (SET/RESET), catalog browsing (SHOW,
// DESCRIBE, USE), EXPLAIN, job control (STOP JOB) and the client's HELP and QUIT.
import type { Span } from '../errors.js';
import type { QualifiedName } from './names.js';
import type { Statement } from './statement.js';

/** `SET` (key null lists the configuration) or `SET 'key' = 'value'`. */
export interface SetStatement {
  readonly kind: 'set';
  readonly span: Span;
  readonly key: string | null;
  readonly value: string | null;
}

export interface ResetStatement {
  readonly kind: 'reset';
  readonly span: Span;
  readonly key: string | null;
}

export type ShowWhat =
  | 'TABLES'
  | 'VIEWS'
  | 'FUNCTIONS'
  | 'USER FUNCTIONS'
  | 'JOBS'
  | 'CATALOGS'
  | 'DATABASES'
  | 'MODULES'
  | 'FULL MODULES'
  | 'CURRENT CATALOG'
  | 'CURRENT DATABASE'
  | 'COLUMNS';

export interface ShowStatement {
  readonly kind: 'show';
  readonly span: Span;
  readonly what: ShowWhat;
  /** `SHOW TABLES FROM db`, `SHOW COLUMNS FROM t`. */
  readonly from: QualifiedName | null;
  /** `... [NOT] LIKE 'pattern'`. */
  readonly like: { readonly pattern: string; readonly negated: boolean } | null;
}

export interface ShowCreate {
  readonly kind: 'showCreate';
  readonly span: Span;
  readonly object: 'TABLE' | 'VIEW';
  readonly name: QualifiedName;
}

/** `DESCRIBE t` or `DESC t`, optionally EXTENDED. */
export interface Describe {
  readonly kind: 'describe';
  /** `DESCRIBE FUNCTION [EXTENDED] f` (Flink 1.19+): the function's properties instead of a table's columns. */
  readonly function?: boolean;
  readonly span: Span;
  readonly extended: boolean;
  readonly name: QualifiedName;
}

/** VERBOSE (a Freshet extension, as in DataFusion): the plan after each optimizer rule that changed it. */
export type ExplainDetail = 'ESTIMATED_COST' | 'CHANGELOG_MODE' | 'JSON_EXECUTION_PLAN' | 'PLAN_ADVICE' | 'VERBOSE';

export interface Explain {
  readonly kind: 'explain';
  readonly span: Span;
  readonly details: readonly ExplainDetail[];
  readonly statement: Statement;
}

export interface UseStatement {
  readonly kind: 'use';
  readonly span: Span;
  /** `USE CATALOG c` versus `USE [catalog.]database`. */
  readonly catalog: boolean;
  readonly name: QualifiedName;
}

export interface StopJob {
  readonly kind: 'stopJob';
  readonly span: Span;
  readonly jobId: string;
  readonly withSavepoint: boolean;
  readonly withDrain: boolean;
}

export interface Help {
  readonly kind: 'help';
  readonly span: Span;
}

/** QUIT or EXIT. */
export interface Quit {
  readonly kind: 'quit';
  readonly span: Span;
}
