// Projection pruning (Calcite's ProjectRemoveRule / RelFieldTrimmer, done locally): the driver walks bottom-up
// without parent information, so the rule looks from a Project at the node below it and drops what the Project
// does not read:
//   - Project over Project: inner expressions no outer expression reads (project-merge merges the pairs it
//     can; this covers the pairs it must leave, e.g. an inner RAND() read twice);
//   - Project over Aggregate: aggregate calls no expression reads (their accumulators and state go away). A
//     global aggregate keeps at least one call: an aggregate with no keys and no calls has no operator.
//   - Project over Join: a Project of the read columns (by the outer Project or the join condition) on each side,
//     condition renumbered; the window/interval join recognition follows columns through such projections.
//     Temporal joins are not pruned.
import { Schema } from '../../../executor/index.js';
import { inputsOf, remapInputs } from '../../expr/rex-util.js';
import { Rex } from '../../expr/rex.js';
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
      case 'join':
        return pruneJoin(node, input, used);
      default:
        return null;
    }
  },
};

type Project = Extract<LogicalPlan, { kind: 'project' }>;
type Join = Extract<LogicalPlan, { kind: 'join' }>;

/**
 * Project over Join: each side gets a Project of the columns the outer Project or the join condition reads,
 * and the condition and the outer expressions are renumbered. Temporal joins are left alone (the versioned
 * side must stay the table with its primary key and version time).
 */
function pruneJoin(node: Project, join: Join, used: ReadonlySet<number>): LogicalPlan | null {
  if (join.temporal !== undefined) return null;
  const nl = join.left.schema.size;
  const nr = join.right.schema.size;
  const need = new Set([...used, ...inputsOf(join.condition)]);
  const side = (from: number, n: number): number[] => {
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (need.has(from + i)) keep.push(i);
    // A side must output something; its first column stands in when nothing is read.
    if (keep.length === 0) keep.push(0);
    return keep;
  };
  const leftKeep = side(0, nl);
  const rightKeep = side(nl, nr);
  if (leftKeep.length === nl && rightKeep.length === nr) return null;
  const left = narrow(join.left, leftKeep);
  const right = narrow(join.right, rightKeep);
  const at = new Map<number, number>();
  leftKeep.forEach((old, k) => at.set(old, k));
  rightKeep.forEach((old, k) => at.set(nl + old, leftKeep.length + k));
  const semi = join.joinType === 'SEMI' || join.joinType === 'ANTI';
  const pruned: LogicalPlan = {
    ...join,
    left,
    right,
    condition: remapInputs(join.condition, (i) => at.get(i)!),
    schema: semi ? left.schema : left.schema.concat(right.schema),
  };
  return { ...node, input: pruned, exprs: node.exprs.map((e) => remapInputs(e, (i) => at.get(i)!)) };
}

/** `input` reduced to the columns `keep` (itself when it keeps them all). */
function narrow(input: LogicalPlan, keep: readonly number[]): LogicalPlan {
  if (keep.length === input.schema.size) return input;
  return {
    kind: 'project',
    input,
    exprs: keep.map((i) => Rex.input(i, input.schema.field(i).type)),
    schema: new Schema(keep.map((i) => input.schema.field(i))),
  };
}

/** `exprs` with input `keep[k]` renumbered to `k`. */
function renumber(exprs: readonly Rex[], keep: readonly number[]): Rex[] {
  const at = new Map(keep.map((old, k) => [old, k]));
  return exprs.map((e) => remapInputs(e, (i) => at.get(i)!));
}
