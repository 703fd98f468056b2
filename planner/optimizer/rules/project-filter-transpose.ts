// Project over Filter: the filter's input narrowed to the columns the projection or the condition reads (Calcite's
// ProjectFilterTransposeRule, as Flink's logical rule set runs it), so that unread columns can be pruned further
// down — through watermark assigners and computed columns into the source. Runs in the projection push-down
// phase only: filter-project-transpose does the opposite move and would undo it within one phase.
import { Schema } from '../../../executor/index.js';
import { inputsOf, remapInputs } from '../../expr/rex-util.js';
import { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const projectFilterTransposeRule: Rule = {
  name: 'project-filter-transpose',
  apply(node) {
    if (node.kind !== 'project' || node.input.kind !== 'filter') return null;
    const filter = node.input;
    const used = new Set<number>(inputsOf(filter.condition));
    for (const e of node.exprs) for (const i of inputsOf(e)) used.add(i);
    const keep = [...used].sort((x, y) => x - y);
    if (keep.length === 0) keep.push(0);
    if (keep.length >= filter.schema.size) return null;
    const below = narrowTo(filter.input, keep);
    const at = new Map(keep.map((old, k) => [old, k]));
    const map = (i: number): number => at.get(i) as number;
    const narrowed: LogicalPlan = {
      kind: 'filter',
      input: below,
      condition: remapInputs(filter.condition, map),
      schema: below.schema,
    };
    return { ...node, input: narrowed, exprs: node.exprs.map((e) => remapInputs(e, map)) };
  },
};

/** A Project of the columns `keep` (ascending positions) of `input`. */
export function narrowTo(input: LogicalPlan, keep: readonly number[]): LogicalPlan {
  return {
    kind: 'project',
    input,
    exprs: keep.map((i) => Rex.input(i, input.schema.field(i).type)),
    schema: new Schema(keep.map((i) => input.schema.field(i))),
  };
}
