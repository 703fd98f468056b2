// Expressions: literals, names, operators with the precedence already resolved into the tree, predicates, calls
// (with FILTER and OVER as wrapper nodes, so a plain call keeps its shape), constructors and subqueries.
// Parentheses leave no node: `(a + b)` is the `binary` node itself.
import type { Span } from '../errors.js';
import type { Ident, QualifiedName } from './names.js';
import type { Query } from './query.js';
import type { DataTypeAst, TimeUnit } from './types.js';

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export interface CallExpr {
  readonly kind: 'call';
  readonly span: Span;
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `COUNT(*)`. */
  readonly star: boolean;
  /**
   * Set when the call was written with keyword syntax inside its parentheses; the operands are still `args`, in
   * the function's positional order, so a binder that reads only `args` sees an ordinary call.
   */
  readonly syntax?: CallSyntax;
}

/**
 * The keyword forms of calls (Flink's String, Arithmetic and JSON Functions pages):
 * - `trim`: `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)`; args are the mode as an unquoted name (if written),
 *   `chars` (if written) and `s`.
 * - `position`: `POSITION(a IN b [FROM n])`; args `a, b [, n]`.
 * - `overlay`: `OVERLAY(s PLACING r FROM n [FOR m])`; args `s, r, n [, m]`.
 * - `floorTo`: `FLOOR(x TO unit)`, `CEIL(x TO unit)`; args `x` and the unit as an unquoted upper-case name.
 * - `json`: `JSON_VALUE(j, path [RETURNING type] [behavior ON EMPTY] [behavior ON ERROR])` (args `j, path`,
 *   `keys` null) and `JSON_OBJECT([KEY] k VALUE v, ... [NULL|ABSENT ON NULL])` (args `k1, v1, k2, v2, ...`,
 *   `keys[i]` says whether entry i was written with KEY).
 */
export type CallSyntax =
  | { readonly kind: 'trim' | 'position' | 'overlay' | 'floorTo' }
  | {
      readonly kind: 'json';
      readonly keys: readonly boolean[] | null;
      readonly returning: DataTypeAst | null;
      readonly behaviors: readonly JsonBehavior[];
    };

/** `NULL ON EMPTY`, `DEFAULT x ON ERROR`, `ABSENT ON NULL`, ... */
export interface JsonBehavior {
  readonly span: Span;
  readonly action: 'NULL' | 'ERROR' | 'ABSENT' | 'DEFAULT';
  /** The DEFAULT value. */
  readonly value: Expr | null;
  readonly on: 'EMPTY' | 'ERROR' | 'NULL';
}

export interface OrderItem {
  readonly span: Span;
  readonly expr: Expr;
  readonly direction: 'ASC' | 'DESC' | null;
  readonly nulls: 'FIRST' | 'LAST' | null;
}

export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'unboundedFollowing' | 'currentRow'; readonly span: Span }
  | { readonly kind: 'preceding' | 'following'; readonly span: Span; readonly offset: Expr };

/** `ROWS|RANGE BETWEEN start AND end`, or `ROWS|RANGE start` (end null). */
export interface WindowFrame {
  readonly span: Span;
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound | null;
}

/** The body of `OVER (...)` and of a WINDOW clause entry; `base` names a window it refines. */
export interface WindowSpec {
  readonly span: Span;
  readonly base: Ident | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: WindowFrame | null;
}

export type Expr =
  | { readonly kind: 'numberLit'; readonly span: Span; readonly text: string }
  | { readonly kind: 'stringLit'; readonly span: Span; readonly value: string }
  | { readonly kind: 'boolLit'; readonly span: Span; readonly value: boolean }
  | { readonly kind: 'nullLit'; readonly span: Span }
  /** `DATE '2020-01-01'`, `TIME '10:00:00'`, `TIMESTAMP '2020-01-01 10:00:00'`. */
  | {
      readonly kind: 'typedLit';
      readonly span: Span;
      readonly type: 'DATE' | 'TIME' | 'TIMESTAMP';
      readonly value: string;
    }
  /** `INTERVAL '5' SECOND`, `INTERVAL '1 2:03' DAY TO MINUTE`, `-INTERVAL ...` is a unary minus around it. */
  | {
      readonly kind: 'intervalLit';
      readonly span: Span;
      readonly value: string;
      readonly from: TimeUnit;
      readonly to: TimeUnit | null;
    }
  /** A column, or a field path `t.r.f` that the binder resolves against the scope. */
  | { readonly kind: 'ident'; readonly span: Span; readonly name: QualifiedName }
  | { readonly kind: 'unary'; readonly span: Span; readonly op: '-' | '+' | 'NOT'; readonly operand: Expr }
  | {
      readonly kind: 'binary';
      readonly span: Span;
      readonly op: BinaryOp;
      readonly left: Expr;
      readonly right: Expr;
    }
  | { readonly kind: 'isNull'; readonly span: Span; readonly operand: Expr; readonly negated: boolean }
  /** `x IS [NOT] TRUE|FALSE|UNKNOWN` (value null means UNKNOWN). */
  | {
      readonly kind: 'isBool';
      readonly span: Span;
      readonly operand: Expr;
      readonly value: boolean | null;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'isDistinctFrom';
      readonly span: Span;
      readonly left: Expr;
      readonly right: Expr;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'between';
      readonly span: Span;
      readonly operand: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
      readonly symmetric: boolean;
    }
  | {
      readonly kind: 'inList';
      readonly span: Span;
      readonly operand: Expr;
      readonly list: readonly Expr[];
      readonly negated: boolean;
    }
  | {
      readonly kind: 'inQuery';
      readonly span: Span;
      readonly operand: Expr;
      readonly query: Query;
      readonly negated: boolean;
    }
  | { readonly kind: 'exists'; readonly span: Span; readonly query: Query }
  /** A scalar subquery `(SELECT ...)`. */
  | { readonly kind: 'subquery'; readonly span: Span; readonly query: Query }
  | {
      readonly kind: 'like';
      readonly span: Span;
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly escape: Expr | null;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'similarTo';
      readonly span: Span;
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly escape: Expr | null;
      readonly negated: boolean;
    }
  | CallExpr
  /** `agg(x) FILTER (WHERE cond)`. */
  | { readonly kind: 'filter'; readonly span: Span; readonly call: CallExpr; readonly where: Expr }
  /** `agg(x) [FILTER (...)] OVER (spec)` or `OVER w` (a named window: `window` is an Ident). */
  | { readonly kind: 'over'; readonly span: Span; readonly call: Expr; readonly window: WindowSpec | Ident }
  | {
      readonly kind: 'cast';
      readonly span: Span;
      readonly operand: Expr;
      readonly type: DataTypeAst;
      readonly safe: boolean;
    }
  | {
      readonly kind: 'case';
      readonly span: Span;
      readonly operand: Expr | null;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise: Expr | null;
    }
  /** `EXTRACT(unit FROM x)`; unit upper-cased (YEAR ... SECOND, or DOW, WEEK, QUARTER, ...). */
  | { readonly kind: 'extract'; readonly span: Span; readonly unit: string; readonly operand: Expr }
  | { readonly kind: 'arrayCtor'; readonly span: Span; readonly elements: readonly Expr[] }
  | {
      readonly kind: 'mapCtor';
      readonly span: Span;
      readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
    }
  | { readonly kind: 'rowCtor'; readonly span: Span; readonly fields: readonly Expr[] }
  /** `a[i]`, `m['k']`. */
  | { readonly kind: 'subscript'; readonly span: Span; readonly operand: Expr; readonly index: Expr }
  /** `f(x).field`, `a[1].field`: field access on something that is not a plain name. */
  | { readonly kind: 'fieldAccess'; readonly span: Span; readonly operand: Expr; readonly field: Ident }
  /**
   * Table-function arguments: `name => value`, `TABLE t [PARTITION BY k, ...]` (SESSION's partitioned table;
   * `partitionBy` is absent when not written), `DESCRIPTOR(c1, c2)`.
   */
  | { readonly kind: 'namedArg'; readonly span: Span; readonly name: Ident; readonly value: Expr }
  | {
      readonly kind: 'tableArg';
      readonly span: Span;
      readonly name: QualifiedName;
      readonly partitionBy?: readonly Expr[];
    }
  | { readonly kind: 'descriptor'; readonly span: Span; readonly columns: readonly Ident[] };

export type ExprKind = Expr['kind'];
