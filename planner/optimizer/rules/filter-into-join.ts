// A WHERE over an inner join (or a comma join) becomes part of the join condition (Calcite's
// FilterJoinRule): `FROM a, b WHERE a.id = b.id` then joins on the key instead of forming the cross product on
// one subtask, and time bounds in WHERE can make it an interval join. Outer joins keep their filter: moving it
// into the ON condition would change which rows are NULL-padded.
import { Types } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import { conjuncts, isTrueLiteral } from '../../expr/rex-util.js';
import type { Rule } from '../rule.js';

export const filterIntoJoinRule: Rule = {
  name: 'filter-into-join',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'join' || node.input.joinType !== 'INNER') return null;
    const join = node.input;
    const parts = [...conjuncts(join.condition), ...conjuncts(node.condition)].filter(
      (c) => !isTrueLiteral(c),
    );
    const condition =
      parts.length === 1
        ? (parts[0] as Rex)
        : Rex.call('AND', parts, Types.BOOLEAN(parts.some((p) => p.type.nullable)));
    return { ...join, condition };
  },
};
