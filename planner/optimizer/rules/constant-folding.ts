// Constant folding and boolean simplification (Calcite's ReduceExpressionsRule with RexSimplify; Flink's
// ExpressionReducer evaluates the constant parts with generated code). A call, CAST or field access whose operands
// are all literals is evaluated once at planning time with the same compiled code the Calc operator runs
// (codegen/calc.ts over a one-row batch with no columns, as the VALUES source does), so folding can never
// disagree with the runtime. An expression that fails to evaluate (1 / 0, CAST('x' AS INT)) is left as it is:
// the job then fails when a row reaches it, as it would without the rule. Non-deterministic calls (RAND,
// PROCTIME, CURRENT_TIMESTAMP, user functions) are never folded.
//
// Boolean simplification keeps SQL's three-valued logic: `x AND TRUE` → x, `x AND FALSE` → FALSE (FALSE AND
// NULL is FALSE), `x OR FALSE` → x, `x OR TRUE` → TRUE (TRUE OR NULL is TRUE), `NOT NOT x` → x. A filter whose
// condition becomes TRUE disappears; one that becomes FALSE or NULL stays a filter on FALSE (the engine has no
// empty relation).
import { Schema, Types, getValue, makeBatch, type LogicalType } from '../../../executor/index.js';
import { compileCalc } from '../../codegen/calc.js';
import { Rex } from '../../expr/rex.js';
import { isDeterministic } from '../../expr/rex-util.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const constantFoldingRule: Rule = {
  name: 'constant-folding',
  apply(node) {
    switch (node.kind) {
      case 'project': {
        const exprs = node.exprs.map(fold);
        if (exprs.every((e, i) => e === node.exprs[i])) return null;
        return { ...node, exprs };
      }
      case 'filter': {
        const condition = fold(node.condition);
        if (condition.kind === 'literal' && condition.value === true) return node.input;
        if (condition.kind === 'literal' && condition.value === null) return { ...node, condition: FALSE };
        if (condition === node.condition) return null;
        return { ...node, condition };
      }
      case 'join': {
        const condition = fold(node.condition);
        if (condition === node.condition) return null;
        return { ...node, condition } as LogicalPlan;
      }
      default:
        return null;
    }
  },
};

const FALSE = Rex.literal(false, { kind: 'BOOLEAN', nullable: false });

/**
 * Folds the constant parts of `r`; returns `r` itself when nothing changed. Folded literals keep the type of
 * the expression they replace, so a Project's output types do not change.
 */
export function fold(r: Rex): Rex {
  switch (r.kind) {
    case 'input':
    case 'literal':
      return r;
    case 'cast':
    case 'field': {
      const operand = fold(r.operand);
      const next = operand === r.operand ? r : { ...r, operand };
      return operand.kind === 'literal' ? (evaluate(next) ?? next) : next;
    }
    case 'udf': {
      const args = r.args.map(fold);
      return args.every((a, i) => a === r.args[i]) ? r : { ...r, args };
    }
    case 'call': {
      const args = r.args.map(fold);
      const next: Rex = args.every((a, i) => a === r.args[i]) ? r : { ...r, args };
      if (next.kind !== 'call') return next;
      const simplified = simplifyLogic(next);
      if (simplified !== null) return simplified;
      if (args.every((a) => a.kind === 'literal') && isDeterministic(next) && !CONSTRUCTORS.has(next.op))
        return evaluate(next) ?? next;
      return next;
    }
  }
}

// ARRAY[...], MAP[...], ROW(...) of literals stay calls: a collection literal would need the codegen's constant
// path to copy nested values, which it does not promise, and folding them gains nothing for filters.
const CONSTRUCTORS = new Set(['ARRAY_VALUE', 'MAP_VALUE', 'ROW_VALUE']);

function isBool(r: Rex, value: boolean): boolean {
  return r.kind === 'literal' && r.value === value;
}

/** AND/OR with a TRUE or FALSE operand, and NOT NOT x; null when nothing applies. */
function simplifyLogic(r: Extract<Rex, { kind: 'call' }>): Rex | null {
  if (r.op === 'NOT') {
    const a = r.args[0] as Rex;
    if (a.kind === 'call' && a.op === 'NOT') return a.args[0] as Rex;
    return null;
  }
  if (r.op !== 'AND' && r.op !== 'OR') return null;
  // The value that decides the result whatever the other operands are (even NULL), and the neutral one.
  const absorbing = r.op === 'OR';
  if (r.args.some((a) => isBool(a, absorbing))) return Rex.literal(absorbing, r.type);
  const rest = r.args.filter((a) => !isBool(a, !absorbing));
  if (rest.length === r.args.length) return null;
  if (rest.length === 0) return Rex.literal(!absorbing, r.type);
  if (rest.length === 1) return rest[0] as Rex;
  return Rex.call(r.op, rest, r.type);
}

// The one-row batch carries an unread BIGINT column in its wide (BigInt64Array) layout so that the Calc runs in
// its exact BigInt mode: in its double mode a literal beyond 2^53 would be rounded before it is folded.
const INPUT = new Schema([{ name: 'unused', type: Types.BIGINT(false) }]);
const ONE_ROW = makeBatch(INPUT, [{ kind: 'i64', values: new BigInt64Array(1), validity: null }], 1);

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** The value of a closed expression as the runtime computes it, or null when evaluation fails. */
function evaluate(r: Rex): Rex | null {
  const type: LogicalType = r.type;
  try {
    const out = compileCalc({
      inputSchema: INPUT,
      outputSchema: new Schema([{ name: 'v', type }]),
      projections: [r],
      condition: null,
    })(ONE_ROW);
    if (out === null || out.length !== 1) return null;
    const value = getValue(out.columns[0]!, type, 0);
    // The Calc's double mode loads a BIGINT/DECIMAL literal with Number(): one beyond 2^53 would be rounded
    // where the unfolded expression is widened to BigInt at run time, so such a result stays unfolded.
    if (typeof value === 'bigint' && (value > MAX_EXACT || value < -MAX_EXACT)) return null;
    return Rex.literal(value, type);
  } catch {
    return null;
  }
}
