// Filter over UNION ALL becomes a UNION ALL of filtered inputs (Calcite's FilterSetOpTransposeRule): every
// input has the union's column layout, so the condition applies to each unchanged, and each branch can push
// it further down on its own.
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const filterIntoUnionRule: Rule = {
  name: 'filter-into-union',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'union') return null;
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
