// Top-N (Flink's FlinkLogicalRankRule): a filter on the ROW_NUMBER/RANK/DENSE_RANK column of an OVER window
// becomes a Rank node that keeps only the top rows per partition, instead of an OVER aggregate that Flink cannot
// run on ranking functions at all.
//
//   Filter(rn <= N [AND other])                 Filter(other)
//     Project(.., rn, ..)              ==>         Project(.., rn, ..)
//       Over(ROW_NUMBER() AS rn)                     Rank(ROW_NUMBER, 1..N, rank number output)
//
// Rank-number pruning and deduplication (separate rules) then simplify the Rank when they can.
import { Schema, Types } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import { conjuncts, inputsOf } from '../../expr/rex-util.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const rankRule: Rule = {
  name: 'rank',
  apply(node) {
    if (node.kind !== 'filter' || node.input.kind !== 'project' || node.input.input.kind !== 'over')
      return null;
    const project = node.input;
    const over = project.input as Extract<LogicalPlan, { kind: 'over' }>;
    if (over.calls.length !== 1) return null;
    const call = over.calls[0];
    if (call?.kind !== 'rank') return null;
    const rankCol = over.input.schema.size;
    // Columns of the project that are the rank number.
    const rankRefs = new Set<number>();
    project.exprs.forEach((e, i) => {
      if (e.kind === 'input' && e.index === rankCol) rankRefs.add(i);
    });
    if (project.exprs.some((e, i) => !rankRefs.has(i) && inputsOf(e).has(rankCol))) return null;
    let start = 1;
    let end = Infinity;
    const rest: Rex[] = [];
    for (const c of conjuncts(node.condition)) {
      const b = rankBound(c, rankRefs);
      if (b === null) {
        rest.push(c);
        continue;
      }
      start = Math.max(start, b.start);
      end = Math.min(end, b.end);
    }
    if (end === Infinity) return null;
    const rank: LogicalPlan = {
      kind: 'rank',
      input: over.input,
      partitionKeys: over.partitionKeys,
      orderKeys: over.orderKeys,
      rankType: call.rankType,
      rankStart: start,
      rankEnd: end,
      outputRankNumber: true,
      windowEnd: windowEndOf(over.input.schema, over.partitionKeys),
      schema: new Schema([...over.input.schema.fields, { name: call.name, type: Types.BIGINT(false) }]),
    };
    const reprojected: LogicalPlan = {
      kind: 'project',
      input: rank,
      exprs: project.exprs,
      schema: project.schema,
    };
    if (rest.length === 0) return reprojected;
    const cond =
      rest.length === 1
        ? (rest[0] as Rex)
        : Rex.call('AND', rest, Types.BOOLEAN(rest.some((r) => r.type.nullable)));
    return { kind: 'filter', input: reprojected, condition: cond, schema: node.schema };
  },
};

/** `rn <= N`, `rn < N`, `rn = N`, `N >= rn`, `rn >= M` as a range of ranks. */
function rankBound(c: Rex, rankRefs: ReadonlySet<number>): { start: number; end: number } | null {
  if (c.kind !== 'call' || c.args.length !== 2) return null;
  const [a, b] = c.args as [Rex, Rex];
  const isRank = (r: Rex): boolean => r.kind === 'input' && rankRefs.has(r.index);
  const lit = (r: Rex): number | null =>
    r.kind === 'literal' && (typeof r.value === 'number' || typeof r.value === 'bigint')
      ? Number(r.value)
      : r.kind === 'cast'
        ? lit(r.operand)
        : null;
  let op = c.op;
  let v: number | null;
  if (isRank(a)) v = lit(b);
  else if (isRank(b)) {
    v = lit(a);
    op =
      (
        {
          LESS_THAN: 'GREATER_THAN',
          LESS_THAN_OR_EQUAL: 'GREATER_THAN_OR_EQUAL',
          GREATER_THAN: 'LESS_THAN',
          GREATER_THAN_OR_EQUAL: 'LESS_THAN_OR_EQUAL',
        } as Record<string, typeof op>
      )[op] ?? op;
  } else return null;
  if (v === null || !Number.isInteger(v)) return null;
  switch (op) {
    case 'EQUALS':
      return { start: v, end: v };
    case 'LESS_THAN_OR_EQUAL':
      return { start: 1, end: v };
    case 'LESS_THAN':
      return { start: 1, end: v - 1 };
    case 'GREATER_THAN_OR_EQUAL':
      return { start: v, end: Infinity };
    case 'GREATER_THAN':
      return { start: v + 1, end: Infinity };
    default:
      return null;
  }
}

/** Window Top-N: partitioned by window_start and window_end of a windowed input → the window_end column. */
export function windowEndOf(s: Schema, partitionKeys: readonly number[]): number | null {
  const start = s.indexOf('window_start');
  const end = s.indexOf('window_end');
  return start >= 0 && end >= 0 && partitionKeys.includes(start) && partitionKeys.includes(end) ? end : null;
}
