// Queries: SELECT blocks, VALUES, set operations, WITH, and ORDER BY/LIMIT/OFFSET/FETCH as a wrapper; FROM items
// form a join tree whose leaves are tables, subqueries, table functions, UNNEST and MATCH_RECOGNIZE.
import type { Span } from '../errors.js';
import type { Expr, OrderItem, WindowSpec } from './expr.js';
import type { Hint, Ident, QualifiedName } from './names.js';

export type SelectItem =
  | { readonly kind: 'expr'; readonly span: Span; readonly expr: Expr; readonly alias: Ident | null }
  /** `*` or `t.*`. */
  | { readonly kind: 'star'; readonly span: Span; readonly qualifier: QualifiedName | null };

/** `AS alias` with optional column aliases `AS t(a, b)`. */
export interface Alias {
  readonly name: Ident;
  readonly columns: readonly Ident[];
}

export interface TableRef {
  readonly kind: 'table';
  readonly span: Span;
  readonly name: QualifiedName;
  readonly alias: Ident | null;
  readonly columnAliases: readonly Ident[];
  /** `/*+ OPTIONS(...) *\/` after the name. */
  readonly hints: readonly Hint[];
  /** `FOR SYSTEM_TIME AS OF expr` (temporal join). */
  readonly forSystemTime: Expr | null;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';

export type JoinCondition = { readonly kind: 'on'; readonly expr: Expr } | { readonly kind: 'using'; readonly columns: readonly Ident[] };

export type PatternQuantifier = { readonly min: number; readonly max: number | null; readonly reluctant: boolean };

/** A MATCH_RECOGNIZE row pattern. */
export type PatternTerm =
  | { readonly kind: 'var'; readonly span: Span; readonly name: Ident; readonly quantifier: PatternQuantifier | null }
  | { readonly kind: 'group'; readonly span: Span; readonly pattern: PatternTerm; readonly quantifier: PatternQuantifier | null }
  | { readonly kind: 'seq'; readonly span: Span; readonly items: readonly PatternTerm[] }
  | { readonly kind: 'alt'; readonly span: Span; readonly items: readonly PatternTerm[] };

export type AfterMatch =
  | { readonly kind: 'pastLastRow' | 'toNextRow' }
  | { readonly kind: 'toFirst' | 'toLast' | 'to'; readonly variable: Ident };

export interface MatchRecognize {
  readonly kind: 'matchRecognize';
  readonly span: Span;
  readonly input: FromItem;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly measures: readonly { readonly expr: Expr; readonly alias: Ident }[];
  readonly rowsPerMatch: 'ONE' | 'ALL' | null;
  readonly afterMatch: AfterMatch | null;
  readonly pattern: PatternTerm;
  readonly within: Expr | null;
  readonly define: readonly { readonly name: Ident; readonly expr: Expr }[];
  readonly alias: Alias | null;
}

export type FromItem =
  | TableRef
  | { readonly kind: 'subquery'; readonly span: Span; readonly query: Query; readonly lateral: boolean; readonly alias: Alias | null }
  /** `TABLE(tvf(...))`, `LATERAL TABLE(udtf(...))`. */
  | { readonly kind: 'tableFunction'; readonly span: Span; readonly call: Expr; readonly lateral: boolean; readonly alias: Alias | null }
  | { readonly kind: 'unnest'; readonly span: Span; readonly args: readonly Expr[]; readonly withOrdinality: boolean; readonly alias: Alias | null }
  | {
      readonly kind: 'join';
      readonly span: Span;
      readonly joinType: JoinType;
      readonly natural: boolean;
      readonly left: FromItem;
      readonly right: FromItem;
      readonly condition: JoinCondition | null;
    }
  | MatchRecognize;

/** One element of GROUP BY. A `set` is a parenthesised list `(a, b)` or `()`. */
export type GroupingElement =
  | { readonly kind: 'expr'; readonly span: Span; readonly expr: Expr }
  | { readonly kind: 'set'; readonly span: Span; readonly exprs: readonly Expr[] }
  | { readonly kind: 'rollup' | 'cube' | 'groupingSets'; readonly span: Span; readonly elements: readonly GroupingElement[] };

export interface NamedWindow {
  readonly span: Span;
  readonly name: Ident;
  readonly spec: WindowSpec;
}

export interface Select {
  readonly kind: 'select';
  readonly span: Span;
  readonly distinct: boolean;
  /** `SELECT /*+ ... *\/`. */
  readonly hints: readonly Hint[];
  readonly items: readonly SelectItem[];
  readonly from: FromItem | null;
  readonly where: Expr | null;
  /** Empty when there is no GROUP BY (`GROUP BY ()` is one empty `set`). */
  readonly groupBy: readonly GroupingElement[];
  readonly having: Expr | null;
  readonly windows: readonly NamedWindow[];
}

export interface Values {
  readonly kind: 'values';
  readonly span: Span;
  readonly rows: readonly (readonly Expr[])[];
}

export interface SetOperation {
  readonly kind: 'setOp';
  readonly span: Span;
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
}

export interface CommonTableExpr {
  readonly span: Span;
  readonly name: Ident;
  readonly columns: readonly Ident[];
  readonly query: Query;
}

export interface WithQuery {
  readonly kind: 'with';
  readonly span: Span;
  readonly ctes: readonly CommonTableExpr[];
  readonly body: Query;
}

/** ORDER BY / LIMIT / OFFSET / FETCH around a query body: they apply to the whole set operation, not one SELECT. */
export interface OrderedQuery {
  readonly kind: 'ordered';
  readonly span: Span;
  readonly input: Query;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly fetch: Expr | null;
}

export type Query = Select | Values | SetOperation | WithQuery | OrderedQuery;
