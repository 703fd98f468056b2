// Binds `t MATCH_RECOGNIZE (PARTITION BY … ORDER BY … MEASURES … PATTERN (…) WITHIN … DEFINE …)` to a `match`
// node (Flink's docs page "Pattern Recognition"; Calcite's SqlMatchRecognize validation): the ORDER BY starts with
// an ascending time attribute, DEFINE and MEASURES expressions are bound with every pattern navigation — `A.price`
// (the last row of A, or the candidate row when defining A), `LAST(A.price, n)`, `FIRST(A.price, n)`,
// `PREV(A.price, n)`, aggregates over a variable's rows, `CLASSIFIER()`, `MATCH_NUMBER()`, `MATCH_ROWTIME()` —
// lifted into slots the runtime computes. The output is the partition keys and the measures (ONE ROW PER MATCH).
import {
  Schema,
  Types,
  canBeEmpty,
  formatType,
  patternVariables,
  withNullability,
  withoutTimeAttribute,
  type AfterMatchSkip,
  type Field,
  type LogicalType,
  type MatchPattern,
  type MatchSlot,
} from '../../executor/index.js';
import {
  UnsupportedError,
  ValidationError,
  type Expr,
  type FromItem,
  type MatchRecognize,
  type PatternTerm,
  type Span,
} from '../../parser/index.js';
import { aggregateResultType } from '../expr/aggregates.js';
import type { FunctionRegistry } from '../expr/functions.js';
import { Rex } from '../expr/rex.js';
import { rexKey } from '../expr/rex-util.js';
import type { MatchDefineSpec, MatchSpec } from '../logical/match.js';
import type { LogicalPlan, SortKey } from '../logical/plan.js';
import { ExprBinder } from './bind-expr.js';
import { Scope } from './scope.js';

export interface MatchBindContext {
  readonly source: string;
  readonly functions: FunctionRegistry;
  readonly from: (item: FromItem) => { plan: LogicalPlan; scope: Scope };
}

const MATCH_AGGS = { COUNT: 'COUNT', SUM: 'SUM', AVG: 'AVG', MIN: 'MIN', MAX: 'MAX' } as const;

export function bindMatchRecognize(
  ctx: MatchBindContext,
  m: MatchRecognize,
): { plan: LogicalPlan; scope: Scope } {
  const fail = (message: string, span: Span): never => {
    throw new ValidationError(message, ctx.source, span);
  };
  const input = ctx.from(m.input);
  const inSchema = input.plan.schema;
  const column = (e: Expr, what: string): number => {
    const r = new ExprBinder(input.scope, ctx.source, ctx.functions).bind(e);
    if (r.kind !== 'input')
      throw new UnsupportedError(
        `${what} by an expression in MATCH_RECOGNIZE (name a column)`,
        ctx.source,
        e.span,
      );
    return r.index;
  };

  if (m.rowsPerMatch === 'ALL')
    throw new UnsupportedError(
      'ALL ROWS PER MATCH (Flink supports only ONE ROW PER MATCH)',
      ctx.source,
      m.span,
    );
  const partitionKeys = m.partitionBy.map((e) => column(e, 'PARTITION BY'));
  const first = m.orderBy[0];
  if (first === undefined)
    fail('MATCH_RECOGNIZE needs ORDER BY a time attribute (rowtime or proctime) first', m.span);
  const timeCol = column(first.expr, 'ORDER BY');
  const tt = inSchema.field(timeCol).type;
  const attr = tt.kind === 'TIMESTAMP' || tt.kind === 'TIMESTAMP_LTZ' ? tt.timeAttribute : null;
  if (attr === null || attr === undefined || first.direction === 'DESC')
    fail(
      'You must specify either rowtime or proctime for order by as the first one (ascending), as Flink requires for MATCH_RECOGNIZE',
      first.expr.span,
    );
  const secondary: SortKey[] = m.orderBy.slice(1).map((o) => {
    const desc = o.direction === 'DESC';
    return {
      col: column(o.expr, 'ORDER BY'),
      descending: desc,
      nullsFirst: o.nulls === null ? desc : o.nulls === 'FIRST',
    };
  });

  // ---- the pattern --------------------------------------------------------------------------------------------
  const pattern = convertPattern(m.pattern, ctx.source);
  if (canBeEmpty(pattern))
    throw new UnsupportedError(
      'patterns that can produce an empty match (such as A* or A? B*)',
      ctx.source,
      m.pattern.span,
    );
  checkLastNotGreedy(pattern, ctx.source, m.pattern.span);
  const vars = patternVariables(pattern);
  for (const d of m.define) {
    if (!vars.includes(d.name.value))
      fail(
        `Unknown pattern variable '${d.name.value}' in DEFINE (the pattern has ${vars.join(', ')})`,
        d.name.span,
      );
  }

  // ---- slots and the expressions they read ---------------------------------------------------------------------
  const rowExprs: Rex[] = [];
  const rowExprIndex = (r: Rex): number => {
    const key = rexKey(r);
    const at = rowExprs.findIndex((x) => rexKey(x) === key);
    return at >= 0 ? at : rowExprs.push(r) - 1;
  };
  /** Binds an expression over one row; `A.price` reads column price and records variable A. */
  const bindRowExpr = (e: Expr): { rex: Rex; variable: string | null } => {
    const seen = new Set<string>();
    const sub = (x: Expr): Rex | null => {
      if (x.kind !== 'ident') return null;
      const parts = x.name.parts;
      if (parts.length === 2 && vars.includes((parts[0] as { value: string }).value)) {
        seen.add((parts[0] as { value: string }).value);
        const name = (parts[1] as { value: string }).value;
        const cols = input.scope.lookup(name, null);
        if (cols.length !== 1) fail(`Column '${name}' not found in the input of MATCH_RECOGNIZE`, x.span);
        const c = cols[0] as (typeof cols)[number];
        return Rex.input(c.index, c.type);
      }
      return null;
    };
    const rex = new ExprBinder(input.scope, ctx.source, ctx.functions, sub).bind(e);
    if (seen.size > 1)
      fail(
        `an expression inside a pattern navigation or aggregate must reference one pattern variable, not ${[...seen].join(' and ')}`,
        e.span,
      );
    return { rex, variable: seen.size === 1 ? ([...seen][0] as string) : null };
  };

  /** Binds a DEFINE condition or a measure: navigations become slot columns of the returned schema. */
  const bindWithSlots = (
    e: Expr,
    inMeasures: boolean,
    leading: readonly Field[],
  ): { rex: Rex; slots: MatchSlot[]; schema: Schema } => {
    const slots: MatchSlot[] = [];
    const fields: Field[] = [...leading];
    const slotRef = (slot: MatchSlot, name: string, type: LogicalType): Rex => {
      const key = JSON.stringify(slot);
      let at = slots.findIndex((s) => JSON.stringify(s) === key);
      if (at < 0) {
        at = slots.push(slot) - 1;
        fields.push({ name, type });
      }
      return Rex.input(leading.length + at, (fields[leading.length + at] as Field).type);
    };
    const nav = (
      inner: Expr,
      mode: 'FIRST' | 'LAST',
      offset: number,
      physical: number,
      label: string,
    ): Rex => {
      const { rex, variable } = bindRowExpr(inner);
      const type = withNullability(withoutTimeAttribute(rex.type), true);
      return slotRef({ kind: 'nav', variable, mode, offset, physical, expr: rowExprIndex(rex) }, label, type);
    };
    const literalInt = (x: Expr | undefined, dflt: number, what: string): number => {
      if (x === undefined) return dflt;
      if (x.kind !== 'numberLit' || !/^\d+$/.test(x.text))
        fail(`the offset of ${what} must be a non-negative integer literal`, x.span);
      return Number((x as { text: string }).text);
    };
    const sub = (x: Expr): Rex | null => {
      if (x.kind === 'ident') {
        const parts = x.name.parts;
        const qualified = parts.length === 2 && vars.includes((parts[0] as { value: string }).value);
        if (
          qualified ||
          (parts.length === 1 && input.scope.lookup((parts[0] as { value: string }).value, null).length === 1)
        ) {
          return nav(x, 'LAST', 0, 0, ctx.source.slice(x.span.start, x.span.end));
        }
        return null;
      }
      if (x.kind !== 'call') return null;
      const name = x.name.parts
        .map((p) => p.value)
        .join('.')
        .toUpperCase();
      const text = ctx.source.slice(x.span.start, x.span.end);
      switch (name) {
        case 'FIRST':
        case 'LAST': {
          if (x.args.length < 1 || x.args.length > 2)
            fail(`${name} takes a pattern variable's column and an optional offset`, x.span);
          return nav(x.args[0] as Expr, name, literalInt(x.args[1], 0, name), 0, text);
        }
        case 'PREV': {
          if (x.args.length < 1 || x.args.length > 2)
            fail('PREV takes a column and an optional offset', x.span);
          const inner = x.args[0] as Expr;
          // PREV(LAST(A.price, n), m): m rows before the n-th last row of A.
          if (
            inner.kind === 'call' &&
            ['FIRST', 'LAST'].includes(
              inner.name.parts
                .map((p) => p.value)
                .join('.')
                .toUpperCase(),
            )
          ) {
            const mode = inner.name.parts
              .map((p) => p.value)
              .join('.')
              .toUpperCase() as 'FIRST' | 'LAST';
            return nav(
              inner.args[0] as Expr,
              mode,
              literalInt(inner.args[1], 0, mode),
              literalInt(x.args[1], 1, 'PREV'),
              text,
            );
          }
          return nav(inner, 'LAST', 0, literalInt(x.args[1], 1, 'PREV'), text);
        }
        case 'NEXT':
          throw new UnsupportedError(
            'NEXT in MATCH_RECOGNIZE (rows after the current one are not known yet in a stream)',
            ctx.source,
            x.span,
          );
        case 'CLASSIFIER':
          return slotRef({ kind: 'classifier' }, 'CLASSIFIER()', Types.STRING(true));
        case 'MATCH_NUMBER':
          return slotRef({ kind: 'matchNumber' }, 'MATCH_NUMBER()', Types.BIGINT(false));
        case 'MATCH_ROWTIME': {
          if (attr !== 'rowtime')
            fail('MATCH_ROWTIME() needs a MATCH_RECOGNIZE ordered by a rowtime attribute', x.span);
          const t = tt as Extract<LogicalType, { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ' }>;
          // The rowtime of the match's last row stays a rowtime attribute downstream (windows over matches).
          return slotRef(
            { kind: 'matchRowtime' },
            'MATCH_ROWTIME()',
            inMeasures ? { ...t, nullable: false } : withoutTimeAttribute({ ...t, nullable: false }),
          );
        }
        case 'MATCH_PROCTIME':
          throw new UnsupportedError('MATCH_PROCTIME()', ctx.source, x.span);
      }
      const agg = (MATCH_AGGS as Record<string, 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX'>)[name];
      if (agg !== undefined) {
        if (x.distinct)
          throw new UnsupportedError(
            'DISTINCT aggregations in MATCH_RECOGNIZE (as in Flink)',
            ctx.source,
            x.span,
          );
        if (x.star || x.args.length === 0)
          return slotRef(
            { kind: 'agg', agg: 'COUNT', variable: null, expr: null, integral: true },
            text,
            Types.BIGINT(false),
          );
        const { rex, variable } = bindRowExpr(x.args[0] as Expr);
        const argType = withoutTimeAttribute(rex.type);
        if (argType.kind === 'DECIMAL' && (agg === 'SUM' || agg === 'AVG'))
          throw new UnsupportedError('SUM and AVG of DECIMAL values in MATCH_RECOGNIZE', ctx.source, x.span);
        const result = aggregateResultType(agg, [argType]);
        if (typeof result === 'string') fail(result, x.span);
        const integral = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(argType.kind);
        return slotRef(
          { kind: 'agg', agg, variable, expr: rowExprIndex(rex), integral },
          text,
          result as LogicalType,
        );
      }
      return null;
    };
    const rex = new ExprBinder(new Scope([]), ctx.source, ctx.functions, sub).bind(e);
    return { rex, slots, schema: new Schema(fields) };
  };

  const defines: MatchDefineSpec[] = m.define.map((d) => {
    const { rex, slots, schema } = bindWithSlots(d.expr, false, []);
    if (rex.type.kind !== 'BOOLEAN' && rex.type.kind !== 'NULL')
      fail(`DEFINE ${d.name.value} must be a BOOLEAN condition, but is ${formatType(rex.type)}`, d.expr.span);
    return { variable: d.name.value, slots, slotSchema: schema, condition: rex };
  });

  const keyFields: Field[] = partitionKeys.map((k) => ({
    name: inSchema.field(k).name,
    type: withoutTimeAttribute(inSchema.field(k).type),
  }));
  const measureSlots: MatchSlot[] = [];
  const measureFields: Field[] = [...keyFields];
  const measureExprs: Rex[] = [];
  const outFields: Field[] = [...keyFields];
  for (const me of m.measures) {
    // Each measure is bound alone, then its slots are appended to the shared slot list.
    const { rex, slots, schema } = bindWithSlots(me.expr, true, []);
    const base = measureSlots.length;
    measureSlots.push(...slots);
    measureFields.push(...schema.fields);
    const shifted = shiftInputs(rex, keyFields.length + base);
    measureExprs.push(shifted);
    if (outFields.some((f) => f.name === me.alias.value))
      fail(`Duplicate column '${me.alias.value}' in the output of MATCH_RECOGNIZE`, me.alias.span);
    outFields.push({ name: me.alias.value, type: rex.type });
  }

  let withinMs: number | null = null;
  if (m.within !== null) {
    const w = new ExprBinder(new Scope([]), ctx.source, ctx.functions).bind(m.within);
    if (
      w.kind !== 'literal' ||
      w.type.kind !== 'INTERVAL' ||
      w.type.family !== 'DAY_TIME' ||
      typeof w.value !== 'number' ||
      w.value <= 0
    )
      fail("WITHIN takes a positive day-time interval literal, e.g. INTERVAL '1' HOUR", m.within.span);
    withinMs = (w as { value: number }).value;
  }
  let after: AfterMatchSkip = { kind: 'pastLastRow' };
  if (m.afterMatch !== null) {
    const a = m.afterMatch;
    if (a.kind === 'pastLastRow' || a.kind === 'toNextRow') after = { kind: a.kind };
    else {
      const target = a as Extract<typeof a, { kind: 'toFirst' | 'toLast' | 'to' }>;
      if (!vars.includes(target.variable.value))
        fail(`Unknown pattern variable '${target.variable.value}' in AFTER MATCH SKIP`, target.variable.span);
      after = { kind: target.kind === 'toFirst' ? 'toFirst' : 'toLast', variable: target.variable.value };
    }
  }

  const spec: MatchSpec = {
    partitionKeys,
    timeCol,
    isRowtime: attr === 'rowtime',
    secondary,
    pattern,
    withinMs,
    after,
    rowExprs,
    defines,
    measures: { slots: measureSlots, slotSchema: new Schema(measureFields), exprs: measureExprs },
  };
  const schema = new Schema(outFields);
  const plan: LogicalPlan = { kind: 'match', input: input.plan, spec, schema };
  const qualifier = m.alias?.name.value ?? null;
  const renamed = m.alias !== null && m.alias.columns.length > 0 ? m.alias.columns : null;
  if (renamed !== null && renamed.length !== schema.size)
    fail(`${renamed.length} column aliases given for ${schema.size} columns`, m.span);
  return {
    plan,
    scope: new Scope(
      schema.fields.map((f, i) => ({
        name: renamed === null ? f.name : (renamed[i] as { value: string }).value,
        qualifier,
        type: f.type,
        index: i,
      })),
    ),
  };
}

function shiftInputs(r: Rex, by: number): Rex {
  switch (r.kind) {
    case 'input':
      return Rex.input(r.index + by, r.type);
    case 'literal':
      return r;
    case 'cast':
      return Rex.cast(shiftInputs(r.operand, by), r.type, r.safe);
    case 'field':
      return Rex.field(shiftInputs(r.operand, by), r.index, r.name, r.type);
    case 'call':
      return Rex.call(
        r.op,
        r.args.map((a) => shiftInputs(a, by)),
        r.type,
      );
    case 'udf':
      return Rex.udf(
        r.fn,
        r.args.map((a) => shiftInputs(a, by)),
        r.type,
      );
  }
}

function convertPattern(t: PatternTerm, source: string): MatchPattern {
  const quant = (
    q: { min: number; max: number | null; reluctant: boolean } | null,
    span: Span,
  ): { min: number; max: number; greedy: boolean } => {
    if (q === null) return { min: 1, max: 1, greedy: true };
    const max = q.max ?? Infinity;
    if (q.reluctant && q.min === 0 && max === 1)
      throw new UnsupportedError(
        'the reluctant optional quantifier ?? (as in Flink: only the greedy ? is supported)',
        source,
        span,
      );
    return { min: q.min, max, greedy: !q.reluctant };
  };
  switch (t.kind) {
    case 'var':
      return { kind: 'var', name: t.name.value, ...quant(t.quantifier, t.span) };
    case 'group': {
      const inner = convertPattern(t.pattern, source);
      if (t.quantifier === null) return inner;
      return { kind: 'group', pattern: inner, ...quant(t.quantifier, t.span) };
    }
    case 'seq':
      return { kind: 'seq', items: t.items.map((i) => convertPattern(i, source)) };
    case 'alt':
      return { kind: 'alt', items: t.items.map((i) => convertPattern(i, source)) };
  }
}

/** Flink: "Greedy quantifiers are not allowed as the last element of a Pattern yet." */
function checkLastNotGreedy(p: MatchPattern, source: string, span: Span): void {
  const last = (q: MatchPattern): MatchPattern[] =>
    q.kind === 'seq'
      ? last(q.items[q.items.length - 1] as MatchPattern)
      : q.kind === 'alt'
        ? q.items.flatMap(last)
        : [q];
  for (const q of last(p)) {
    if (q.kind !== 'seq' && q.kind !== 'alt' && q.greedy && q.max !== q.min) {
      throw new UnsupportedError(
        'a greedy quantifier on the last element of a pattern (as in Flink: finish the pattern with a single variable or a reluctant quantifier)',
        source,
        span,
      );
    }
  }
}
