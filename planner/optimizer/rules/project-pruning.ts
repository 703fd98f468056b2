// Projection pruning (Calcite's ProjectRemoveRule / RelFieldTrimmer, done locally): the driver walks bottom-up
// without parent information, so the rule looks from a Project at the node below it and drops what the Project
// does not read:
//   - Project over Project: inner expressions no outer expression reads (project-merge merges the pairs it
//     can; this covers the pairs it must leave, e.g. an inner RAND() read twice);
//   - Project over Aggregate: aggregate calls no expression reads (their accumulators and state go away). A
//     global aggregate keeps at least one call: an aggregate with no keys and no calls has no operator.
// Project over Join is not pruned here: the join condition and the temporal/interval/window join recognition
// read columns by position on both sides, which an inner Project on each side would renumber.
import { Schema } from '../../../executor/index.js';
import { inputsOf, remapInputs } from '../../expr/rex-util.js';
import type { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const projectPruningRule: Rule = {
  name: 'project-pruning',
  apply(node) {
    if (node.kind !== 'project') return null;
    const used = new Set<number>();
    for (const e of node.exprs) for (const i of inputsOf(e)) used.add(i);
    const input = node.input;
    switch (input.kind) {
      case 'project': {
        if (used.size === input.exprs.length) return null;
        const keep = input.exprs.map((_e, i) => i).filter((i) => used.has(i));
        // A Project must output something; keep the first column when the outer one reads none.
        if (keep.length === 0) keep.push(0);
        if (keep.length === input.exprs.length) return null;
        const inner: LogicalPlan = {
          ...input,
          exprs: keep.map((i) => input.exprs[i]!),
          schema: new Schema(keep.map((i) => input.schema.field(i))),
        };
        return { ...node, input: inner, exprs: renumber(node.exprs, keep) };
      }
      case 'aggregate': {
        const keys = input.groupKeys.length;
        const calls = input.aggCalls.map((_c, j) => j).filter((j) => used.has(keys + j));
        if (calls.length === 0 && keys === 0) calls.push(0);
        if (calls.length === input.aggCalls.length) return null;
        const keep = [...input.groupKeys.map((_k, i) => i), ...calls.map((j) => keys + j)];
        const agg: LogicalPlan = {
          ...input,
          aggCalls: calls.map((j) => input.aggCalls[j]!),
          schema: new Schema(keep.map((i) => input.schema.field(i))),
        };
        return { ...node, input: agg, exprs: renumber(node.exprs, keep) };
      }
      default:
        return null;
    }
  },
};

/** `exprs` with input `keep[k]` renumbered to `k`. */
function renumber(exprs: readonly Rex[], keep: readonly number[]): Rex[] {
  const at = new Map(keep.map((old, k) => [old, k]));
  return exprs.map((e) => remapInputs(e, (i) => at.get(i)!));
}
