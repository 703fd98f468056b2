// Project over WatermarkAssigner: the assigner's input narrowed to the columns the projection reads plus the
// rowtime and what the watermark expression reads (Flink's ProjectWatermarkAssignerTransposeRule), so computed
// columns nobody reads disappear and the source can be asked for fewer columns. The watermark is unchanged: it is
// computed from the same column values.
import { inputsOf, remapInputs } from '../../expr/rex-util.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';
import { narrowTo } from './project-filter-transpose.js';

export const projectWatermarkAssignerTransposeRule: Rule = {
  name: 'project-watermark-assigner-transpose',
  apply(node) {
    if (node.kind !== 'project' || node.input.kind !== 'watermarkAssigner') return null;
    const wm = node.input;
    const used = new Set<number>([wm.rowtime, ...inputsOf(wm.expr)]);
    for (const e of node.exprs) for (const i of inputsOf(e)) used.add(i);
    const keep = [...used].sort((x, y) => x - y);
    if (keep.length >= wm.schema.size) return null;
    const at = new Map(keep.map((old, k) => [old, k]));
    const map = (i: number): number => at.get(i) as number;
    const below = narrowTo(wm.input, keep);
    // The assigner's output keeps the rowtime attribute type of its column (the narrowed input has the plain one).
    const assigner: LogicalPlan = {
      kind: 'watermarkAssigner',
      input: below,
      rowtime: map(wm.rowtime),
      expr: remapInputs(wm.expr, map),
      schema: narrowTo(wm, keep).schema,
    };
    return { ...node, input: assigner, exprs: node.exprs.map((e) => remapInputs(e, map)) };
  },
};
