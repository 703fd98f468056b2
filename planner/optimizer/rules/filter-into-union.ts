// Filter over UNION ALL becomes a UNION ALL of filtered inputs (Calcite's FilterSetOpTransposeRule): every
// input has the union's column layout, so the condition applies to each unchanged, and each branch can push
// it further down on its own. Not a condition reading CURRENT_WATERMARK: each branch has its own watermark, the
// union's is their minimum.
import { readsWatermark } from '../../expr/rex-util.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const filterIntoUnionRule: Rule = {
  name: 'filter-into-union',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'union' || readsWatermark(node.condition)) return null;
    const union = node.input;
    const filtered = union.inputs.map((input): LogicalPlan => ({
      kind: 'filter',
      input,
      condition: node.condition,
      schema: input.schema,
    }));
    return { ...union, inputs: filtered };
  },
};
