// Binds LATERAL TABLE(udtf(...)) and UNNEST(...) in FROM to a Correlate of the FROM item on their left (Flink
// plans both as LogicalCorrelate over a table function scan; UNNEST calls the built-in UnnestRowsFunction).
// The function's arguments are bound against the left side's columns; its columns follow the left's, renamed by
// `AS T(a, b)`. A table function with nothing on its left correlates with one empty row (`FROM UNNEST(ARRAY[1])`).
import {
  Schema,
  Types,
  formatType,
  withNullability,
  type Field,
  type LogicalType,
} from '../../executor/index.js';
import {
  UnsupportedError,
  ValidationError,
  type Expr,
  type FromItem,
  type Span,
} from '../../parser/index.js';
import type { FunctionRegistry } from '../expr/functions.js';
import { Rex } from '../expr/rex.js';
import { commonType } from '../expr/typing.js';
import type { CorrelateFunction, LogicalPlan } from '../logical/plan.js';
import type { ExprBinder } from './bind-expr.js';
import { Scope } from './scope.js';

export type CorrelateItem = Extract<FromItem, { kind: 'tableFunction' | 'unnest' }>;

interface Bound {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

export interface CorrelateContext {
  readonly source: string;
  readonly functions: FunctionRegistry;
  readonly exprBinder: (scope: Scope) => ExprBinder;
}

/** Whether a FROM item calls a user-defined table function or UNNEST (window TVFs are not correlated). */
export function isCorrelateItem(item: FromItem, functions: FunctionRegistry): boolean {
  if (item.kind === 'unnest') return true;
  if (item.kind !== 'tableFunction' || item.call.kind !== 'call') return false;
  return functions.getTable(item.call.name.parts.map((p) => p.value).join('.')) !== undefined;
}

/** The single empty row a table function without a left side is correlated with. */
export function singleRow(): Bound {
  return { plan: { kind: 'values', rows: [[]], schema: new Schema([]) }, scope: new Scope([]) };
}

/**
 * `left, LATERAL TABLE(f(args)) AS T(a, b)` / `left [LEFT] JOIN UNNEST(arr) AS u(v) ON <cond>`: the Correlate
 * and the scope above it. An INNER join's condition filters the result; a LEFT join accepts only ON TRUE
 * (Flink: "LEFT JOIN with a table function ... only supports the literal TRUE as join condition").
 */
export function bindCorrelate(
  ctx: CorrelateContext,
  left: Bound,
  item: CorrelateItem,
  joinType: 'INNER' | 'LEFT',
  condition: Expr | null,
  joinSpan: Span,
): Bound {
  const fail = (message: string, span: Span): never => {
    throw new ValidationError(message, ctx.source, span);
  };
  const binder = ctx.exprBinder(left.scope);
  let fn: CorrelateFunction;
  let args: Rex[];
  let fields: Field[];
  if (item.kind === 'unnest') {
    if (item.args.length !== 1)
      throw new UnsupportedError('UNNEST of more than one collection', ctx.source, item.span);
    const arg = binder.bind(item.args[0] as Expr);
    args = [arg];
    fn = { kind: 'unnest', withOrdinality: item.withOrdinality };
    fields =
      unnestFields(arg.type) ??
      fail(
        `UNNEST needs an ARRAY or MAP argument, but got ${formatType(arg.type)}`,
        (item.args[0] as Expr).span,
      );
    if (item.withOrdinality) fields.push({ name: 'ordinality', type: Types.INT(false) });
  } else {
    const call = item.call as Extract<Expr, { kind: 'call' }>;
    const name = call.name.parts.map((p) => p.value).join('.');
    const udtf = ctx.functions.getTable(name);
    if (udtf === undefined) return fail(`No table function named ${name}`, call.name.span);
    if (call.star || call.distinct)
      fail(`${name}(${call.star ? '*' : 'DISTINCT ...'}) is not a table function call`, call.span);
    const bound = call.args.map((a) => binder.bind(a));
    const declared = udtf.argTypes;
    if (declared !== undefined) {
      if (declared.length !== bound.length)
        fail(
          `${name.toUpperCase()} takes ${declared.length} argument${declared.length === 1 ? '' : 's'}, got ${bound.length}`,
          call.span,
        );
      bound.forEach((a, i) => {
        const want = declared[i] as LogicalType;
        if (a.type.kind !== 'NULL' && commonType([a.type, want]) === null)
          fail(
            `${name.toUpperCase()} argument ${i + 1} must be ${formatType(want)}, but got ${formatType(a.type)}`,
            (call.args[i] as Expr).span,
          );
      });
    }
    args = declared === undefined ? bound : bound.map((a, i) => coerce(a, declared[i] as LogicalType));
    fn = { kind: 'udtf', fn: udtf };
    fields = udtf.fields.map((f) => ({ name: f.name, type: f.type }));
  }
  const aliases = item.alias?.columns ?? [];
  if (aliases.length > 0) {
    if (aliases.length !== fields.length)
      fail(
        `${aliases.length} column aliases given for the ${fields.length} columns of ${item.kind === 'unnest' ? 'UNNEST' : 'the table function'}`,
        item.span,
      );
    fields = fields.map((f, i) => ({ name: aliases[i]?.value ?? f.name, type: f.type }));
  }
  if (joinType === 'LEFT')
    fields = fields.map((f) => ({ name: f.name, type: withNullability(f.type, true) }));
  const offset = left.plan.schema.size;
  const schema = new Schema([...left.plan.schema.fields, ...fields]);
  let plan: LogicalPlan = { kind: 'correlate', input: left.plan, fn, args, joinType, schema };
  const qualifier = item.alias?.name.value ?? null;
  const scope = new Scope([
    ...left.scope.columns,
    ...fields.map((f, i) => ({ name: f.name, qualifier, type: f.type, index: offset + i })),
  ]);
  if (condition !== null) {
    const cond = ctx.exprBinder(scope).bind(condition);
    const isTrue = cond.kind === 'literal' && cond.value === true;
    if (!isTrue) {
      if (joinType === 'LEFT')
        fail(
          'LEFT JOIN with a table function (LATERAL TABLE or UNNEST) supports only ON TRUE as its condition',
          condition.span,
        );
      if (cond.type.kind !== 'BOOLEAN')
        fail(`JOIN condition must be a BOOLEAN expression, but is ${formatType(cond.type)}`, condition.span);
      plan = { kind: 'filter', input: plan, condition: cond, schema };
    }
  } else if (joinType === 'LEFT') fail('LEFT JOIN needs an ON or USING condition', joinSpan);
  return { plan, scope };
}

/** UNNEST's columns (Flink's UnnestRowsFunction): ARRAY<ROW> its fields, ARRAY<T> `f0`, MAP `f0` and `f1`. */
function unnestFields(t: LogicalType): Field[] | null {
  if (t.kind === 'ARRAY') {
    const e = t.element;
    if (e.kind === 'ROW')
      return e.fields.map((f) => ({
        name: f.name,
        type: e.nullable ? withNullability(f.type, true) : f.type,
      }));
    return [{ name: 'f0', type: e }];
  }
  if (t.kind === 'MAP')
    return [
      { name: 'f0', type: t.key },
      { name: 'f1', type: t.value },
    ];
  return null;
}

function coerce(r: Rex, t: LogicalType): Rex {
  if (
    r.type.kind === t.kind &&
    formatType(withNullability(r.type, true)) === formatType(withNullability(t, true))
  )
    return r;
  return Rex.cast(r, withNullability(t, r.type.nullable));
}
