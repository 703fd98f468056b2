// The typed AST of the Flink SQL dialect: closed discriminated unions keyed by `kind`, every node with the
// source span it was parsed from. The parser produces it; the planner's binder and the unparser consume it.
import type { Span } from './errors.js';

export interface Ident {
  readonly value: string;
  readonly span: Span;
  /** Written in backticks: case and reserved words preserved as written. */
  readonly quoted: boolean;
}

/** `catalog.db.table`, `t.col`, ...: one to many parts. */
export interface QualifiedName {
  readonly parts: readonly Ident[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------- data types

export interface DataTypeAst {
  readonly span: Span;
  /** Canonical upper-case name: INT (for INT/INTEGER), DECIMAL (for DEC/NUMERIC), VARCHAR, STRING, TIMESTAMP_LTZ ... */
  readonly name: string;
  /** Numeric parameters as written: precision, scale, length. */
  readonly params: readonly number[];
  readonly notNull: boolean;
  /** ARRAY<element>, MULTISET<element>. */
  readonly element?: DataTypeAst;
  /** MAP<key, value>. */
  readonly key?: DataTypeAst;
  readonly value?: DataTypeAst;
  /** ROW<name type, ...>. */
  readonly fields?: readonly { readonly name: Ident; readonly type: DataTypeAst }[];
  /** INTERVAL types: the leading and trailing unit. */
  readonly from?: TimeUnit;
  readonly to?: TimeUnit;
}

export type TimeUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

// ---------------------------------------------------------------------------------------------- expressions

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export type Expr =
  | { readonly kind: 'numberLit'; readonly span: Span; readonly text: string }
  | { readonly kind: 'stringLit'; readonly span: Span; readonly value: string }
  | { readonly kind: 'boolLit'; readonly span: Span; readonly value: boolean }
  | { readonly kind: 'nullLit'; readonly span: Span }
  /** `DATE '2020-01-01'`, `TIME '10:00:00'`, `TIMESTAMP '2020-01-01 10:00:00'`. */
  | { readonly kind: 'typedLit'; readonly span: Span; readonly type: 'DATE' | 'TIME' | 'TIMESTAMP'; readonly value: string }
  /** `INTERVAL '5' SECOND`, `INTERVAL '1 2:03' DAY TO MINUTE`, `-INTERVAL ...` is a unary minus around it. */
  | {
      readonly kind: 'intervalLit';
      readonly span: Span;
      readonly value: string;
      readonly from: TimeUnit;
      readonly to: TimeUnit | null;
    }
  | { readonly kind: 'ident'; readonly span: Span; readonly name: QualifiedName }
  | { readonly kind: 'unary'; readonly span: Span; readonly op: '-' | '+' | 'NOT'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly span: Span; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'isNull'; readonly span: Span; readonly operand: Expr; readonly negated: boolean }
  | {
      readonly kind: 'between';
      readonly span: Span;
      readonly operand: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
    }
  | { readonly kind: 'inList'; readonly span: Span; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | {
      readonly kind: 'like';
      readonly span: Span;
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly escape: Expr | null;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'call';
      readonly span: Span;
      readonly name: QualifiedName;
      readonly args: readonly Expr[];
      readonly distinct: boolean;
      /** `COUNT(*)`. */
      readonly star: boolean;
    }
  | { readonly kind: 'cast'; readonly span: Span; readonly operand: Expr; readonly type: DataTypeAst; readonly safe: boolean }
  | {
      readonly kind: 'case';
      readonly span: Span;
      readonly operand: Expr | null;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise: Expr | null;
    };

export type ExprKind = Expr['kind'];

// ---------------------------------------------------------------------------------------------- queries

export type SelectItem =
  | { readonly kind: 'expr'; readonly span: Span; readonly expr: Expr; readonly alias: Ident | null }
  /** `*` or `t.*`. */
  | { readonly kind: 'star'; readonly span: Span; readonly qualifier: QualifiedName | null };

export type FromItem = { readonly kind: 'table'; readonly span: Span; readonly name: QualifiedName; readonly alias: Ident | null };

export interface Select {
  readonly kind: 'select';
  readonly span: Span;
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: FromItem | null;
  readonly where: Expr | null;
}

export type Query = Select;

// ---------------------------------------------------------------------------------------------- statements

export type ColumnDef =
  | {
      readonly kind: 'physical';
      readonly span: Span;
      readonly name: Ident;
      readonly type: DataTypeAst;
      readonly comment: string | null;
    }
  | { readonly kind: 'computed'; readonly span: Span; readonly name: Ident; readonly expr: Expr; readonly comment: string | null };

export interface TableOption {
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

export interface CreateTable {
  readonly kind: 'createTable';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  readonly watermark: { readonly column: Ident; readonly expr: Expr; readonly span: Span } | null;
  readonly primaryKey: { readonly columns: readonly Ident[]; readonly span: Span } | null;
  readonly comment: string | null;
  readonly options: readonly TableOption[];
}

export interface QueryStatement {
  readonly kind: 'query';
  readonly span: Span;
  readonly query: Query;
}

export type Statement = CreateTable | QueryStatement;

export type StatementKind = Statement['kind'];
