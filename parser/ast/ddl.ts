// DDL statements: tables (columns, computed and metadata columns, watermark, key, LIKE, CTAS), views, functions,
// catalogs, databases, DROP and ALTER. The binder turns the table forms into catalog entries.
import type { Span } from '../errors.js';
import type { Expr } from './expr.js';
import type { Ident, QualifiedName, TableOption } from './names.js';
import type { Query } from './query.js';
import type { DataTypeAst } from './types.js';

export type ColumnDef =
  | {
      readonly kind: 'physical';
      readonly span: Span;
      readonly name: Ident;
      readonly type: DataTypeAst;
      readonly comment: string | null;
    }
  | { readonly kind: 'computed'; readonly span: Span; readonly name: Ident; readonly expr: Expr; readonly comment: string | null }
  /** `c TYPE METADATA [FROM 'key'] [VIRTUAL]`. */
  | {
      readonly kind: 'metadata';
      readonly span: Span;
      readonly name: Ident;
      readonly type: DataTypeAst;
      readonly key: string | null;
      readonly virtual: boolean;
      readonly comment: string | null;
    };

export type LikeOptionVerb = 'INCLUDING' | 'EXCLUDING' | 'OVERWRITING';
export type LikeOptionTarget = 'ALL' | 'CONSTRAINTS' | 'GENERATED' | 'OPTIONS' | 'PARTITIONS' | 'WATERMARKS' | 'METADATA';

/** `LIKE source (INCLUDING ALL OVERWRITING OPTIONS ...)`. */
export interface LikeClause {
  readonly span: Span;
  readonly name: QualifiedName;
  readonly options: readonly { readonly verb: LikeOptionVerb; readonly target: LikeOptionTarget }[];
}

export interface CreateTable {
  readonly kind: 'createTable';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  readonly watermark: { readonly column: Ident; readonly expr: Expr; readonly span: Span } | null;
  /** Table-level or column-level (`id BIGINT PRIMARY KEY NOT ENFORCED`), which mean the same thing. */
  readonly primaryKey: { readonly columns: readonly Ident[]; readonly span: Span; readonly name: Ident | null } | null;
  readonly comment: string | null;
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly TableOption[];
  readonly like: LikeClause | null;
}

/** `CREATE TABLE t WITH (...) AS query`. */
export interface CreateTableAs {
  readonly kind: 'createTableAs';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly comment: string | null;
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly TableOption[];
  readonly query: Query;
}

export interface CreateView {
  readonly kind: 'createView';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly Ident[];
  readonly comment: string | null;
  readonly query: Query;
}

export interface CreateFunction {
  readonly kind: 'createFunction';
  readonly span: Span;
  readonly temporary: boolean;
  /** `CREATE TEMPORARY SYSTEM FUNCTION`: no catalog or database. */
  readonly system: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  /** Flink: a class name; Freshet: an ES module and export, `'file:///path/udfs.mjs#MyUpper'`, `'pkg#Fn'`. */
  readonly className: string;
  readonly language: 'JAVA' | 'SCALA' | 'PYTHON' | 'SQL' | 'JAVASCRIPT' | 'TYPESCRIPT' | null;
}

export interface CreateCatalog {
  readonly kind: 'createCatalog';
  readonly span: Span;
  readonly ifNotExists: boolean;
  readonly name: Ident;
  readonly options: readonly TableOption[];
}

export interface CreateDatabase {
  readonly kind: 'createDatabase';
  readonly span: Span;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly comment: string | null;
  readonly options: readonly TableOption[];
}

export type DropObject = 'TABLE' | 'VIEW' | 'FUNCTION' | 'CATALOG' | 'DATABASE';

export interface Drop {
  readonly kind: 'drop';
  readonly span: Span;
  readonly object: DropObject;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  /** DROP DATABASE ... RESTRICT|CASCADE. */
  readonly cascade: boolean | null;
}

export type AlterTableAction =
  | { readonly kind: 'setOptions'; readonly options: readonly TableOption[] }
  | { readonly kind: 'resetOptions'; readonly keys: readonly string[] }
  | { readonly kind: 'rename'; readonly newName: QualifiedName };

export interface AlterTable {
  readonly kind: 'alterTable';
  readonly span: Span;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  readonly action: AlterTableAction;
}

export interface AlterView {
  readonly kind: 'alterView';
  readonly span: Span;
  readonly name: QualifiedName;
  readonly action: { readonly kind: 'rename'; readonly newName: QualifiedName } | { readonly kind: 'as'; readonly query: Query };
}
