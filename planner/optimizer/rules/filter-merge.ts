// Filter over Filter becomes one Filter on both conditions (Calcite's FilterMergeRule): one Calc instead of
// two, and a single condition for the push-down rules to split. The inner condition comes first so that a
// guard written in an inner query (`WHERE b <> 0`) still precedes the outer condition that relies on it.
import { Types } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import { conjuncts } from '../../expr/rex-util.js';
import type { Rule } from '../rule.js';

export const filterMergeRule: Rule = {
  name: 'filter-merge',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'filter') return null;
    const inner = node.input;
    return { ...node, input: inner.input, condition: and([inner.condition, node.condition]) };
  },
};

/** The conjunction of `parts` (flattened), typed nullable when any part is. */
export function and(parts: readonly Rex[]): Rex {
  const flat = parts.flatMap(conjuncts);
  if (flat.length === 1) return flat[0] as Rex;
  return Rex.call('AND', flat, Types.BOOLEAN(flat.some((p) => p.type.nullable)));
}
