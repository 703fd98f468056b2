// Table API expressions: `$('col')`, `lit(v)`, `call(fn, ...)` and the operator methods build parser AST `Expr`
// nodes, so a fluent query binds through the same binder (and the same type rules) as SQL. User values become
// literal nodes, never SQL text. Synthesized nodes carry a zero span: they have no source text; the Table methods
// that bind them report errors by operation name instead of by caret.
import type {
  CallExpr,
  DataTypeAst,
  Expr,
  Ident,
  OrderItem,
  QualifiedName,
  Span,
  TimeUnit,
  WindowFrame,
  WindowSpec,
} from '../../parser/index.js';
import { formatExpr } from '../../parser/index.js';
import type { FunctionDefinition } from './functions.js';

export const NO_SPAN: Span = { start: 0, end: 0 };

/** An identifier as written in backticks: case preserved, reserved words allowed. */
export function ident(value: string): Ident {
  return { value, span: NO_SPAN, quoted: true };
}

export function qname(...parts: string[]): QualifiedName {
  return { parts: parts.map(ident), span: NO_SPAN };
}

/** Anything the fluent API accepts where an expression goes: an Expression or a plain value (a literal). */
export type ExpressionLike = Expression | string | number | bigint | boolean | null | Date;

export class Expression {
  constructor(
    /** The AST node this expression binds as. */
    readonly node: Expr,
    /** `.as(name)`: the output column name in a select. */
    readonly alias: string | null = null,
    /** `.asc()` / `.desc()`: the direction in orderBy. */
    readonly direction: 'ASC' | 'DESC' | null = null,
    /** `.as('a', 'b')`: the column names of a table function call (joinLateral, flatMap). */
    readonly columnAliases: readonly string[] = [],
  ) {}

  toString(): string {
    return formatExpr(this.node) + (this.alias === null ? '' : ` AS ${this.alias}`);
  }

  private bin(op: Extract<Expr, { kind: 'binary' }>['op'], other: ExpressionLike): Expression {
    return new Expression({ kind: 'binary', span: NO_SPAN, op, left: this.node, right: toExpr(other) });
  }

  plus(o: ExpressionLike): Expression {
    return this.bin('+', o);
  }
  minus(o: ExpressionLike): Expression {
    return this.bin('-', o);
  }
  times(o: ExpressionLike): Expression {
    return this.bin('*', o);
  }
  dividedBy(o: ExpressionLike): Expression {
    return this.bin('/', o);
  }
  mod(o: ExpressionLike): Expression {
    return this.bin('%', o);
  }
  isEqual(o: ExpressionLike): Expression {
    return this.bin('=', o);
  }
  isNotEqual(o: ExpressionLike): Expression {
    return this.bin('<>', o);
  }
  isGreater(o: ExpressionLike): Expression {
    return this.bin('>', o);
  }
  isGreaterOrEqual(o: ExpressionLike): Expression {
    return this.bin('>=', o);
  }
  isLess(o: ExpressionLike): Expression {
    return this.bin('<', o);
  }
  isLessOrEqual(o: ExpressionLike): Expression {
    return this.bin('<=', o);
  }
  and(o: ExpressionLike): Expression {
    return this.bin('AND', o);
  }
  or(o: ExpressionLike): Expression {
    return this.bin('OR', o);
  }
  /** String concatenation, SQL's `||`. */
  concat(o: ExpressionLike): Expression {
    return this.bin('||', o);
  }

  not(): Expression {
    return new Expression({ kind: 'unary', span: NO_SPAN, op: 'NOT', operand: this.node });
  }
  negate(): Expression {
    return new Expression({ kind: 'unary', span: NO_SPAN, op: '-', operand: this.node });
  }
  isNull(): Expression {
    return new Expression({ kind: 'isNull', span: NO_SPAN, operand: this.node, negated: false });
  }
  isNotNull(): Expression {
    return new Expression({ kind: 'isNull', span: NO_SPAN, operand: this.node, negated: true });
  }
  like(pattern: ExpressionLike): Expression {
    return new Expression({
      kind: 'like',
      span: NO_SPAN,
      operand: this.node,
      pattern: toExpr(pattern),
      escape: null,
      negated: false,
    });
  }
  between(low: ExpressionLike, high: ExpressionLike): Expression {
    return new Expression({
      kind: 'between',
      span: NO_SPAN,
      operand: this.node,
      low: toExpr(low),
      high: toExpr(high),
      negated: false,
      symmetric: false,
    });
  }
  in(...values: ExpressionLike[]): Expression {
    return new Expression({
      kind: 'inList',
      span: NO_SPAN,
      operand: this.node,
      list: values.map(toExpr),
      negated: false,
    });
  }

  /** `CAST(x AS type)`; `type` from DataTypes, e.g. `DataTypes.BIGINT()`. */
  cast(type: DataTypeAst): Expression {
    return new Expression({ kind: 'cast', span: NO_SPAN, operand: this.node, type, safe: false });
  }
  tryCast(type: DataTypeAst): Expression {
    return new Expression({ kind: 'cast', span: NO_SPAN, operand: this.node, type, safe: true });
  }

  /** Names the column in a select (Flink's `.as`); on a window (`Tumble…as('w')`) see the window classes. */
  as(name: string, ...more: string[]): Expression {
    if (more.length > 0) return new Expression(this.node, name, this.direction, [name, ...more]);
    return new Expression(this.node, name, this.direction);
  }
  asc(): Expression {
    return new Expression(this.node, this.alias, 'ASC');
  }
  desc(): Expression {
    return new Expression(this.node, this.alias, 'DESC');
  }

  // Aggregates (Flink's `$('x').sum()`): the SQL built-ins of the same name.
  get count(): Expression {
    return callOf('COUNT', [this.node]);
  }
  get sum(): Expression {
    return callOf('SUM', [this.node]);
  }
  get avg(): Expression {
    return callOf('AVG', [this.node]);
  }
  get min(): Expression {
    return callOf('MIN', [this.node]);
  }
  get max(): Expression {
    return callOf('MAX', [this.node]);
  }
  get countDistinct(): Expression {
    return callOf('COUNT', [this.node], true);
  }

  // String functions.
  upperCase(): Expression {
    return callOf('UPPER', [this.node]);
  }
  lowerCase(): Expression {
    return callOf('LOWER', [this.node]);
  }
  charLength(): Expression {
    return callOf('CHAR_LENGTH', [this.node]);
  }
  trim(): Expression {
    return callOf('TRIM', [this.node]);
  }
  substring(start: ExpressionLike, length?: ExpressionLike): Expression {
    return callOf(
      'SUBSTRING',
      length === undefined ? [this.node, toExpr(start)] : [this.node, toExpr(start), toExpr(length)],
    );
  }
  abs(): Expression {
    return callOf('ABS', [this.node]);
  }

  // Interval helpers on a numeric literal: `lit(10).seconds()` is `INTERVAL '10' SECOND`.
  seconds(): Expression {
    return this.interval('SECOND');
  }
  minutes(): Expression {
    return this.interval('MINUTE');
  }
  hours(): Expression {
    return this.interval('HOUR');
  }
  days(): Expression {
    return this.interval('DAY');
  }
  milliseconds(): Expression {
    const n = this.intervalCount('milliseconds');
    // INTERVAL 'S.fff' SECOND keeps millisecond precision.
    return new Expression({
      kind: 'intervalLit',
      span: NO_SPAN,
      value: (n / 1000).toFixed(3),
      from: 'SECOND',
      to: null,
    });
  }

  /** `$('x').sum.over($('w'))`: the aggregate over the OVER window aliased `w` (Table.window(Over…as('w'))). */
  over(window: Expression): Expression {
    const w = window.node;
    if (w.kind !== 'ident' || w.name.parts.length !== 1)
      throw new Error(`.over() takes the alias of an OVER window such as $('w'), not ${formatExpr(w)}`);
    return new Expression({ kind: 'over', span: NO_SPAN, call: this.node, window: w.name.parts[0] as Ident });
  }

  // Window properties of a group window alias: `$('w').start()` after `window(Tumble…as('w'))`.
  start(): Expression {
    return this.windowProperty('window_start');
  }
  end(): Expression {
    return this.windowProperty('window_end');
  }
  rowtime(): Expression {
    return this.windowProperty('window_time');
  }

  private windowProperty(column: string): Expression {
    if (this.node.kind !== 'ident')
      throw new Error(`.${column.slice(7)}() applies to a window alias such as $('w')`);
    return new Expression({ kind: 'ident', span: NO_SPAN, name: qname(column) });
  }

  private intervalCount(unit: string): number {
    const n = this.node;
    if (n.kind === 'numberLit' && /^\d+$/.test(n.text)) return Number(n.text);
    throw new Error(
      `.${unit}() applies to a non-negative integer literal such as lit(10), not ${formatExpr(n)}`,
    );
  }

  private interval(unit: TimeUnit): Expression {
    const n = this.intervalCount(unit.toLowerCase() + 's');
    return new Expression({ kind: 'intervalLit', span: NO_SPAN, value: String(n), from: unit, to: null });
  }
}

function callOf(name: string, args: readonly Expr[], distinct = false): Expression {
  const node: CallExpr = { kind: 'call', span: NO_SPAN, name: qname(name), args, distinct, star: false };
  return new Expression(node);
}

/** A column reference; `$('t.a')` is not split (use backticks in SQL for dotted names): one name per call. */
export function $(name: string): Expression {
  return new Expression({ kind: 'ident', span: NO_SPAN, name: qname(name) });
}

/** Every column, as in `select($('*'))`; also `select('*')`. */
export const STAR = '*';

/**
 * A literal. Integers become INT (BIGINT beyond 32 bits), bigints BIGINT/DECIMAL like SQL's integer literals,
 * other numbers DOUBLE (Flink's `lit(1.5)` is DOUBLE, unlike SQL's `1.5`, which is DECIMAL), strings CHAR(n),
 * booleans BOOLEAN, null NULL, a Date a TIMESTAMP(3) literal (UTC).
 */
export function lit(value: ExpressionLike): Expression {
  return value instanceof Expression ? value : new Expression(literal(value));
}

function literal(value: Exclude<ExpressionLike, Expression>): Expr {
  if (value === null) return { kind: 'nullLit', span: NO_SPAN };
  switch (typeof value) {
    case 'string':
      return { kind: 'stringLit', span: NO_SPAN, value };
    case 'boolean':
      return { kind: 'boolLit', span: NO_SPAN, value };
    case 'bigint':
      return value < 0n
        ? {
            kind: 'unary',
            span: NO_SPAN,
            op: '-',
            operand: { kind: 'numberLit', span: NO_SPAN, text: String(-value) },
          }
        : { kind: 'numberLit', span: NO_SPAN, text: String(value) };
    case 'number': {
      if (!Number.isFinite(value)) throw new Error(`lit(${value}): only finite numbers are literals`);
      const abs = Math.abs(value);
      const text =
        Number.isInteger(abs) && abs <= Number.MAX_SAFE_INTEGER ? String(abs) : abs.toExponential();
      const lit: Expr = { kind: 'numberLit', span: NO_SPAN, text };
      return value < 0 || Object.is(value, -0)
        ? { kind: 'unary', span: NO_SPAN, op: '-', operand: lit }
        : lit;
    }
    default: {
      const iso = value.toISOString(); // 2024-01-01T10:00:00.000Z
      return {
        kind: 'typedLit',
        span: NO_SPAN,
        type: 'TIMESTAMP',
        value: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`,
      };
    }
  }
}

/** Plain values are literals; an Expression is itself (a string is a literal too: use `$()` for columns). */
export function toExpr(v: ExpressionLike): Expr {
  return v instanceof Expression ? v.node : literal(v);
}

/**
 * Function instances passed inline to `call(fn, ...)`, by the name their calls carry (`SplitFunction$1`); a Table
 * whose query calls one registers it with its environment before binding (Flink's inline `call(MyFunction.class)`).
 */
export const INLINE_FUNCTIONS = new Map<string, FunctionDefinition>();
const inlineNames = new WeakMap<object, string>();

/**
 * A call of a built-in or registered function by name, `call('CONCAT', $('a'), '!')`, or of a function instance
 * inline, `call(new SplitFunction(), $('line'))`.
 */
export function call(fn: string | FunctionDefinition, ...args: ExpressionLike[]): Expression {
  let name: string;
  if (typeof fn === 'string') name = fn;
  else {
    name = inlineNames.get(fn) ?? `${fn.constructor.name}$${INLINE_FUNCTIONS.size + 1}`;
    inlineNames.set(fn, name);
    INLINE_FUNCTIONS.set(name.toUpperCase(), fn);
  }
  return callOf(name, args.map(toExpr));
}

/** Flink's `Expressions.currentWatermark(rowtime)`: the watermark of the operator evaluating it, NULL before one. */
export function currentWatermark(rowtime: ExpressionLike): Expression {
  return call('CURRENT_WATERMARK', rowtime);
}

/** `IF(cond, a, b)` as a searched CASE. */
export function ifThenElse(
  cond: ExpressionLike,
  then: ExpressionLike,
  otherwise: ExpressionLike,
): Expression {
  return new Expression({
    kind: 'case',
    span: NO_SPAN,
    operand: null,
    whens: [{ when: toExpr(cond), then: toExpr(then) }],
    otherwise: toExpr(otherwise),
  });
}

/** An ORDER BY item from an expression (ascending unless `.desc()`). */
export function orderItem(e: Expression): OrderItem {
  return { span: NO_SPAN, expr: e.node, direction: e.direction, nulls: null };
}

// ---- Group windows: `Tumble.over(lit(10).minutes()).on($('ts')).as('w')` ----

export interface GroupWindow {
  readonly kind: 'TUMBLE' | 'HOP' | 'SESSION';
  readonly size: Expr;
  readonly slide: Expr | null;
  readonly timeField: string;
  readonly alias: string;
}

function timeFieldOf(e: Expression): string {
  const n = e.node;
  if (n.kind !== 'ident' || n.name.parts.length !== 1)
    throw new Error(`a window's on() takes a column, such as $('ts'), not ${formatExpr(n)}`);
  return (n.name.parts[0] as Ident).value;
}

/** Tumbling group window, mapped to the TUMBLE window TVF (Flink's Table API `Tumble`). */
export const Tumble = {
  over(size: Expression) {
    return {
      on(time: Expression) {
        return {
          as: (alias: string): GroupWindow => ({
            kind: 'TUMBLE',
            size: size.node,
            slide: null,
            timeField: timeFieldOf(time),
            alias,
          }),
        };
      },
    };
  },
};

/** Sliding group window, mapped to the HOP window TVF (`HOP(data, timecol, slide, size)`). */
export const Slide = {
  over(size: Expression) {
    return {
      every(slide: Expression) {
        return {
          on(time: Expression) {
            return {
              as: (alias: string): GroupWindow => ({
                kind: 'HOP',
                size: size.node,
                slide: slide.node,
                timeField: timeFieldOf(time),
                alias,
              }),
            };
          },
        };
      },
    };
  },
};

/** Session group window, mapped to the SESSION window TVF (`SESSION(data, timecol, gap)`). */
export const Session = {
  withGap(gap: Expression) {
    return {
      on(time: Expression) {
        return {
          as: (alias: string): GroupWindow => ({
            kind: 'SESSION',
            size: gap.node,
            slide: null,
            timeField: timeFieldOf(time),
            alias,
          }),
        };
      },
    };
  },
};

// ---- OVER windows: `Over.partitionBy($('k')).orderBy($('ts')).preceding(UNBOUNDED_RANGE).as('w')` ----

/** An OVER window of the Table API (Flink's OverWindow): the window spec, named by `alias` for `.over($(alias))`. */
export interface OverWindow {
  readonly kind: 'OVER';
  readonly alias: string;
  readonly spec: WindowSpec;
}

const marker = (name: string): Expression =>
  new Expression({ kind: 'ident', span: NO_SPAN, name: qname(`$${name}`) });
/** Flink's `UNBOUNDED_RANGE` / `UNBOUNDED_ROW` / `CURRENT_RANGE` / `CURRENT_ROW` frame bounds. */
export const UNBOUNDED_RANGE = marker('UNBOUNDED_RANGE');
export const UNBOUNDED_ROW = marker('UNBOUNDED_ROW');
export const CURRENT_RANGE = marker('CURRENT_RANGE');
export const CURRENT_ROW = marker('CURRENT_ROW');

function markerName(e: Expression): string | null {
  const n = e.node;
  return n.kind === 'ident' && n.name.parts.length === 1 && (n.name.parts[0] as Ident).value.startsWith('$')
    ? (n.name.parts[0] as Ident).value.slice(1)
    : null;
}

/**
 * `preceding(x)`: UNBOUNDED_RANGE (the default) / UNBOUNDED_ROW, a row count `lit(10)` (ROWS), or an interval
 * `lit(1).minutes()` (RANGE) — Flink's OverWindow preceding; the frame always ends at the current row.
 */
function frameOf(preceding: Expression): WindowFrame {
  const m = markerName(preceding);
  const span = NO_SPAN;
  const cur = { kind: 'currentRow' as const, span };
  if (m === 'UNBOUNDED_RANGE' || m === 'UNBOUNDED_ROW')
    return {
      span,
      unit: m === 'UNBOUNDED_ROW' ? 'ROWS' : 'RANGE',
      start: { kind: 'unboundedPreceding', span },
      end: cur,
    };
  if (m === 'CURRENT_RANGE' || m === 'CURRENT_ROW')
    return { span, unit: m === 'CURRENT_ROW' ? 'ROWS' : 'RANGE', start: cur, end: cur };
  if (m !== null) throw new Error(`preceding() does not take ${m}`);
  const unit = preceding.node.kind === 'intervalLit' ? 'RANGE' : 'ROWS';
  return { span, unit, start: { kind: 'preceding', span, offset: preceding.node }, end: cur };
}

function overBuilder(partitionBy: readonly Expression[]) {
  return {
    orderBy(order: Expression) {
      const build = (frame: WindowFrame | null) => ({
        as: (alias: string): OverWindow => ({
          kind: 'OVER',
          alias,
          spec: {
            span: NO_SPAN,
            base: null,
            partitionBy: partitionBy.map((p) => p.node),
            orderBy: [orderItem(order)],
            frame,
          },
        }),
      });
      return {
        ...build(null),
        preceding: (p: Expression) => ({
          ...build(frameOf(p)),
          following(f: Expression) {
            const m = markerName(f);
            if (m !== 'CURRENT_ROW' && m !== 'CURRENT_RANGE')
              throw new Error(
                'following() takes CURRENT_ROW or CURRENT_RANGE (Flink supports no other in streaming)',
              );
            return build(frameOf(p));
          },
        }),
      };
    },
  };
}

/** OVER windows (Flink's Table API `Over`). */
export const Over = {
  partitionBy: (...keys: Expression[]) => overBuilder(keys),
  orderBy: (order: Expression) => overBuilder([]).orderBy(order),
};
