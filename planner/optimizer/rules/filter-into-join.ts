// A WHERE over an inner join (or a comma join) becomes part of the join condition (Calcite's
// FilterJoinRule): `FROM a, b WHERE a.id = b.id` then joins on the key instead of forming the cross product on
// one subtask, and time bounds in WHERE can make it an interval join. Outer joins keep their filter: moving it
// into the ON condition would change which rows are NULL-padded. Conjuncts reading CURRENT_WATERMARK stay in a
// Filter above the join: the join operator has no watermark cell, and the Calc above sees the join's watermark.
import { Types } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import { conjuncts, isTrueLiteral, readsWatermark } from '../../expr/rex-util.js';
import type { Rule } from '../rule.js';

export const filterIntoJoinRule: Rule = {
  name: 'filter-into-join',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'join' || node.input.joinType !== 'INNER') return null;
    const join = node.input;
    const above = conjuncts(node.condition);
    const stay = above.filter(readsWatermark);
    if (stay.length === above.length) return null;
    const parts = [...conjuncts(join.condition), ...above.filter((c) => !readsWatermark(c))].filter(
      (c) => !isTrueLiteral(c),
    );
    const joined = { ...join, condition: and(parts) };
    return stay.length === 0 ? joined : { ...node, input: joined, condition: and(stay) };
  },
};

function and(parts: readonly Rex[]): Rex {
  if (parts.length === 0) return Rex.literal(true, Types.BOOLEAN(false));
  return parts.length === 1 ? (parts[0] as Rex) : Rex.call('AND', parts, Types.BOOLEAN(parts.some((p) => p.type.nullable)));
}
