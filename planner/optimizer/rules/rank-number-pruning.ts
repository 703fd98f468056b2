// A Rank whose rank number nobody reads stops computing it (Flink's outputRankNumber = false): it then emits
// fewer updates, since a row that only moves from rank 2 to rank 3 is not re-emitted.
import { Schema } from '../../../executor/index.js';
import { inputsOf } from '../../expr/rex-util.js';
import type { Rule } from '../rule.js';

export const rankNumberPruningRule: Rule = {
  name: 'rank-number-pruning',
  apply(node) {
    if (node.kind !== 'project' || node.input.kind !== 'rank' || !node.input.outputRankNumber) return null;
    const rank = node.input;
    const rankCol = rank.input.schema.size;
    if (node.exprs.some((e) => inputsOf(e).has(rankCol))) return null;
    const pruned = { ...rank, outputRankNumber: false, schema: new Schema(rank.input.schema.fields) };
    return { kind: 'project', input: pruned, exprs: node.exprs, schema: node.schema };
  },
};
