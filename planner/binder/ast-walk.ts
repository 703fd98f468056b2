// Finding calls in expression trees: the aggregate calls of a SELECT list and the OVER calls, without listing
// every expression kind (so a new kind of expression is walked without a change here). Subqueries are not
// entered: their aggregates belong to them.
import type { CallExpr, Expr } from '../../parser/index.js';
import { isAggregateName } from '../expr/aggregates.js';

function isExpr(x: unknown): x is Expr {
  return typeof x === 'object' && x !== null && 'kind' in x && 'span' in x;
}

/** The direct sub-expressions of `e`. */
export function childExprs(e: Expr): Expr[] {
  const out: Expr[] = [];
  for (const [key, v] of Object.entries(e)) {
    if (key === 'span' || key === 'query' || key === 'name' || key === 'window') continue;
    if (isExpr(v)) out.push(v);
    else if (Array.isArray(v)) {
      for (const x of v as unknown[]) {
        if (isExpr(x)) out.push(x);
        else if (typeof x === 'object' && x !== null)
          for (const y of Object.values(x)) if (isExpr(y)) out.push(y);
      }
    }
  }
  return out;
}

/** An aggregate call as written: the call, and its FILTER condition. `node` is the expression that stands for it. */
export interface AggregateUse {
  readonly node: Expr;
  readonly call: CallExpr;
  readonly filter: Expr | null;
}

/** Aggregate calls in `exprs`, outermost first; calls inside OVER and inside other aggregates are not listed. */
export function findAggregates(
  exprs: readonly (Expr | null)[],
  isUserFunction: (name: string) => boolean,
  /** User-defined aggregate functions (registered AggregateFunctions) are aggregates too. */
  isUserAggregate: (name: string) => boolean = () => false,
): AggregateUse[] {
  const out: AggregateUse[] = [];
  const isAgg = (c: CallExpr): boolean => {
    const name = c.name.parts.map((p) => p.value).join('.');
    return (isAggregateName(name) && !isUserFunction(name.toUpperCase())) || isUserAggregate(name.toUpperCase());
  };
  const walk = (e: Expr): void => {
    if (e.kind === 'over') return;
    if (e.kind === 'filter' && isAgg(e.call)) {
      out.push({ node: e, call: e.call, filter: e.where });
      return;
    }
    if (e.kind === 'call' && isAgg(e)) {
      out.push({ node: e, call: e, filter: null });
      return;
    }
    for (const c of childExprs(e)) walk(c);
  };
  for (const e of exprs) if (e !== null) walk(e);
  return out;
}

/** The OVER expressions in `exprs`. */
export function findOver(exprs: readonly (Expr | null)[]): Extract<Expr, { kind: 'over' }>[] {
  const out: Extract<Expr, { kind: 'over' }>[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'over') {
      out.push(e);
      return;
    }
    for (const c of childExprs(e)) walk(c);
  };
  for (const e of exprs) if (e !== null) walk(e);
  return out;
}

/** Scalar subqueries `(SELECT …)` in `exprs` (not inside other subqueries). */
export function findScalarSubqueries(exprs: readonly (Expr | null)[]): Extract<Expr, { kind: 'subquery' }>[] {
  const out: Extract<Expr, { kind: 'subquery' }>[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'subquery') {
      out.push(e);
      return;
    }
    for (const c of childExprs(e)) walk(c);
  };
  for (const e of exprs) if (e !== null) walk(e);
  return out;
}
