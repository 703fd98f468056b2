// Filter over Project becomes Project over Filter, the condition rewritten in terms of the projection's input
// (Calcite's FilterProjectTransposeRule), so that the filter can go on down (into a join, below an aggregate,
// into another filter) and rows are dropped before they are projected. Only when every projected expression
// is deterministic: `SELECT RAND() AS r ... WHERE r < 0.5` must test the value it outputs, not a second draw.
import { isDeterministic, replaceInputs } from '../../expr/rex-util.js';
import type { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const filterProjectTransposeRule: Rule = {
  name: 'filter-project-transpose',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'project') return null;
    const project = node.input;
    if (!project.exprs.every(isDeterministic)) return null;
    const condition = replaceInputs(node.condition, (i) => project.exprs[i] as Rex);
    const filter: LogicalPlan = {
      kind: 'filter',
      input: project.input,
      condition,
      schema: project.input.schema,
    };
    return { ...project, input: filter };
  },
};
