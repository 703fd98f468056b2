// The conjuncts of a Filter over a GROUP BY that read only group-key columns move below the aggregate,
// renumbered to the input's key columns (Calcite's FilterAggregateTransposeRule): a HAVING (or an outer WHERE)
// on the key then drops rows before they reach the aggregate's state instead of dropping finished groups. The
// result is the same because every input row of a group has the group's key values; in streaming, every
// update of a group carries them too.
//
// Not moved: a conjunct that reads an aggregate result, a non-deterministic one (it would be drawn per input
// row instead of per result row), and anything over a global aggregate (no keys): a filter FALSE below
// `SELECT COUNT(*)` would still produce the one row with 0, above it produces none.
import { conjuncts, inputsOf, isDeterministic, remapInputs } from '../../expr/rex-util.js';
import type { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';
import { and } from './filter-merge.js';

export const filterAggregateTransposeRule: Rule = {
  name: 'filter-aggregate-transpose',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'aggregate') return null;
    const agg = node.input;
    const keyCount = agg.groupKeys.length;
    if (keyCount === 0) return null;
    const pushed: Rex[] = [];
    const kept: Rex[] = [];
    for (const c of conjuncts(node.condition)) {
      const onKeys = [...inputsOf(c)].every((i) => i < keyCount);
      (onKeys && isDeterministic(c) ? pushed : kept).push(c);
    }
    if (pushed.length === 0) return null;
    const below: LogicalPlan = {
      kind: 'filter',
      input: agg.input,
      condition: remapInputs(and(pushed), (i) => agg.groupKeys[i] as number),
      schema: agg.input.schema,
    };
    const moved: LogicalPlan = { ...agg, input: below };
    if (kept.length === 0) return moved;
    return { ...node, input: moved, condition: and(kept) };
  },
};
