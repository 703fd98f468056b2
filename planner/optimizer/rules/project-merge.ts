// Project over Project becomes one Project (Calcite's ProjectMergeRule): the outer expressions with the inner
// ones substituted. Skipped when the inner projection computes something non-deterministic that the outer one
// reads twice (RAND() AS r, then r + r must stay one draw).
import { inputsOf, isDeterministic, replaceInputs } from '../../expr/rex-util.js';
import type { Rex } from '../../expr/rex.js';
import type { Rule } from '../rule.js';

export const projectMergeRule: Rule = {
  name: 'project-merge',
  apply(node) {
    if (node.kind !== 'project' || node.input.kind !== 'project') return null;
    const inner = node.input;
    const uses = new Map<number, number>();
    for (const e of node.exprs) for (const i of inputsOf(e)) uses.set(i, (uses.get(i) ?? 0) + 1);
    for (const [i, count] of uses) if (count > 1 && !isDeterministic(inner.exprs[i] as Rex)) return null;
    const exprs = node.exprs.map((e) => replaceInputs(e, (i) => inner.exprs[i] as Rex));
    return { kind: 'project', input: inner.input, exprs, schema: node.schema };
  },
};
