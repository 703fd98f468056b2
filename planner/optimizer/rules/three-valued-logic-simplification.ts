// Boolean simplification under SQL's three-valued logic (Calcite's RexSimplify, as Flink's logical phase runs it),
// using the columns' nullability:
//   IS NULL(x) → FALSE and IS NOT NULL(x) → TRUE when x cannot be NULL;
//   NOT(a < b) → a >= b (and the other comparisons, not over FLOAT/DOUBLE where NaN breaks it): NOT NULL is
//   NULL, as the negated comparison gives;
//   x AND x → x, x OR x → x (deterministic duplicates);
//   x AND NOT x → FALSE, x OR NOT x → TRUE when x cannot be NULL; in a condition (NULL counts as FALSE) also for a
//   nullable x: x AND NOT x is never TRUE, x OR NOT x is TRUE exactly when x IS NOT NULL;
//   x = x → TRUE when x cannot be NULL, and IS NOT NULL(x) in a condition.
// Constant operands are left to constant-folding. Inside NOT, a condition is no longer "NULL as FALSE".
import { Types } from '../../../executor/index.js';
import { isDeterministic, rexKey } from '../../expr/rex-util.js';
import { Rex, type Op } from '../../expr/rex.js';
import type { Rule } from '../rule.js';
import { mapArgs, rewriteExpressions } from './expression-rewrite.js';

export const threeValuedLogicSimplificationRule: Rule = {
  name: 'three-valued-logic-simplification',
  apply(node) {
    return rewriteExpressions(node, simplifyLogic);
  },
};

const NEGATED: Partial<Record<Op, Op>> = {
  EQUALS: 'NOT_EQUALS',
  NOT_EQUALS: 'EQUALS',
  LESS_THAN: 'GREATER_THAN_OR_EQUAL',
  LESS_THAN_OR_EQUAL: 'GREATER_THAN',
  GREATER_THAN: 'LESS_THAN_OR_EQUAL',
  GREATER_THAN_OR_EQUAL: 'LESS_THAN',
};

/** The expression `r` is the negation of: x for NOT x, a < b for a >= b (not over floating point); else null. */
function complementOf(r: Rex): Rex | null {
  if (r.kind !== 'call') return null;
  if (r.op === 'NOT') return r.args[0] as Rex;
  const neg = NEGATED[r.op];
  if (neg === undefined || r.args.some((a) => a.type.kind === 'FLOAT' || a.type.kind === 'DOUBLE'))
    return null;
  return Rex.call(neg, r.args, r.type);
}

export function simplifyLogic(r: Rex, unknownAsFalse: boolean): Rex {
  if (r.kind !== 'call') return r;
  // AND/OR keep the condition context for their operands (TRUE iff all/any operand is TRUE); nothing else does.
  const keeps = r.op === 'AND' || r.op === 'OR';
  const c = mapArgs(r, (a) => simplifyLogic(a, keeps && unknownAsFalse));
  const lit = (v: boolean): Rex => Rex.literal(v, c.type);
  switch (c.op) {
    case 'IS_NULL':
    case 'IS_NOT_NULL': {
      const x = c.args[0] as Rex;
      if (!x.type.nullable && isDeterministic(x))
        return Rex.literal(c.op === 'IS_NOT_NULL', Types.BOOLEAN(false));
      return c;
    }
    case 'NOT': {
      const x = c.args[0] as Rex;
      const neg = x.kind === 'call' ? NEGATED[x.op] : undefined;
      // Not for floating point: NOT(NaN < 1) is TRUE but NaN >= 1 is FALSE.
      const floating =
        x.kind === 'call' && x.args.some((a) => a.type.kind === 'FLOAT' || a.type.kind === 'DOUBLE');
      if (x.kind === 'call' && neg !== undefined && !floating) return Rex.call(neg, x.args, x.type);
      return c;
    }
    case 'EQUALS': {
      const [a, b] = c.args as [Rex, Rex];
      if (!isDeterministic(a) || rexKey(a) !== rexKey(b)) return c;
      if (!a.type.nullable) return lit(true);
      return unknownAsFalse ? Rex.call('IS_NOT_NULL', [a], Types.BOOLEAN(false)) : c;
    }
    case 'AND':
    case 'OR': {
      const isAnd = c.op === 'AND';
      const seen = new Set<string>();
      const ops: Rex[] = [];
      for (const a of c.args) {
        const k = rexKey(a);
        if (isDeterministic(a) && seen.has(k)) continue;
        seen.add(k);
        ops.push(a);
      }
      // x with NOT x among the operands; NOT(a < b) has become a >= b by now, so complementary comparisons count.
      for (const a of ops) {
        const x = complementOf(a);
        if (x === null || !isDeterministic(a) || !seen.has(rexKey(x))) continue;
        if (!x.type.nullable || unknownAsFalse) {
          if (isAnd || !x.type.nullable) return Rex.literal(!isAnd, Types.BOOLEAN(false));
          // x OR NOT x in a condition: TRUE exactly when x is not NULL.
          return Rex.call('IS_NOT_NULL', [x], Types.BOOLEAN(false));
        }
      }
      if (ops.length === c.args.length) return c;
      return ops.length === 1 ? (ops[0] as Rex) : Rex.call(c.op, ops, c.type);
    }
    default:
      return c;
  }
}
