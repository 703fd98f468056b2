// Conjuncts of a join condition that read one side only become a Filter on that side (Calcite's FilterJoinRule /
// JoinConditionPushRule, which Flink's logical phase runs as FlinkFilterJoinRule.JOIN_CONDITION_PUSH): rows that
// cannot match are dropped before they reach the join's state. Only where it keeps the answer:
//   INNER, SEMI: either side;   LEFT: the right side (left rows must all come out, padded when unmatched);
//   RIGHT: the left side;        ANTI: the right side;   FULL: neither.
// Temporal joins are left alone (the versioned side must stay the table), and non-deterministic conjuncts stay.
import { Types } from '../../../executor/index.js';
import { conjuncts, inputsOf, isDeterministic, isTrueLiteral, remapInputs } from '../../expr/rex-util.js';
import { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

function and(parts: readonly Rex[]): Rex {
  if (parts.length === 0) return Rex.literal(true, Types.BOOLEAN(false));
  return parts.length === 1
    ? (parts[0] as Rex)
    : Rex.call('AND', parts, Types.BOOLEAN(parts.some((p) => p.type.nullable)));
}

function filtered(input: LogicalPlan, parts: readonly Rex[]): LogicalPlan {
  if (input.kind === 'filter') return { ...input, condition: and([...conjuncts(input.condition), ...parts]) };
  return { kind: 'filter', input, condition: and(parts), schema: input.schema };
}

export const joinConditionPushDownRule: Rule = {
  name: 'join-condition-push-down',
  apply(node) {
    if (node.kind !== 'join' || node.temporal !== undefined) return null;
    const t = node.joinType;
    const toLeft = t === 'INNER' || t === 'SEMI' || t === 'RIGHT';
    const toRight = t === 'INNER' || t === 'SEMI' || t === 'LEFT' || t === 'ANTI';
    if (!toLeft && !toRight) return null;
    const n = node.left.schema.size;
    const left: Rex[] = [];
    const right: Rex[] = [];
    const stay: Rex[] = [];
    for (const c of conjuncts(node.condition)) {
      const cols = [...inputsOf(c)];
      // A conjunct without columns (a constant) is left to constant folding.
      if (cols.length === 0 || !isDeterministic(c) || isTrueLiteral(c)) stay.push(c);
      else if (toLeft && cols.every((i) => i < n)) left.push(c);
      else if (toRight && cols.every((i) => i >= n)) right.push(remapInputs(c, (i) => i - n));
      else stay.push(c);
    }
    if (left.length === 0 && right.length === 0) return null;
    return {
      ...node,
      left: left.length > 0 ? filtered(node.left, left) : node.left,
      right: right.length > 0 ? filtered(node.right, right) : node.right,
      condition: and(stay),
    };
  },
};
