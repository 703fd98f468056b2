// Split distinct aggregation (Flink's SplitAggregateRule, `table.optimizer.distinct-agg.split.enabled`): a GROUP BY
// with a DISTINCT aggregate on a skewed key keeps one hot key's distinct set in one subtask. The rule rewrites
//   SELECT a, COUNT(DISTINCT b), SUM(c) FROM T GROUP BY a
// into a partial aggregate grouped by the keys plus a hash bucket of the distinct column, and a final one by the
// keys alone:
//   SELECT a, SUM0(cnt), SUM(s) FROM (
//     SELECT a, COUNT(DISTINCT b) AS cnt, SUM(c) AS s FROM T GROUP BY a, MOD(HASH_CODE(b), 1024)) GROUP BY a
// Each distinct value falls in exactly one bucket, so summing the per-bucket distinct counts is exact. Bucket count:
// `table.optimizer.distinct-agg.split.bucket-num` (default 1024, as in Flink). Supported here: one distinct column
// (COUNT/SUM/MIN/MAX DISTINCT on it) beside COUNT, SUM, SUM0, MIN and MAX; anything else (AVG, several distinct
// columns, which Flink handles with an Expand) leaves the aggregate as it is.
import { Schema, Types, type Value } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import type { AggKind, AggregateCall, LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

/** The partial call's kind → the final call's kind that merges the partial results. */
const MERGE: Partial<Record<AggKind, AggKind>> = {
  COUNT: 'SUM0',
  SUM: 'SUM',
  SUM0: 'SUM0',
  MIN: 'MIN',
  MAX: 'MAX',
};

/** Flink's HASH_CODE: a deterministic 32-bit hash of the value (strings by their characters, as String#hashCode). */
function hashCode(v: Value): number {
  if (v === null) return 0;
  const text =
    typeof v === 'string'
      ? v
      : typeof v === 'bigint'
        ? `${v}n`
        : typeof v === 'object'
          ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))
          : String(v);
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

const HASH_CODE = { name: 'HASH_CODE', eval: (v: Value): Value => hashCode(v), resultType: Types.INT(false) };

export const splitDistinctAggregateRule: Rule = {
  name: 'split-distinct-aggregate',
  apply(node, ctx) {
    if ((ctx.config?.['table.optimizer.distinct-agg.split.enabled'] ?? 'false').toLowerCase() !== 'true')
      return null;
    if (node.kind !== 'aggregate' || !node.aggCalls.some((c) => c.distinct)) return null;
    // The partial aggregate this rule made (grouped by its bucket) keeps its DISTINCT calls: not split again.
    const last = node.input.schema.size - 1;
    if (
      node.input.kind === 'project' &&
      node.input.schema.field(last).name === '$bucket' &&
      node.groupKeys.includes(last)
    )
      return null;
    const distinctCols = new Set(node.aggCalls.filter((c) => c.distinct).map((c) => c.args.join(',')));
    if (distinctCols.size !== 1) return null;
    const distinctArgs = node.aggCalls.find((c) => c.distinct)!.args;
    if (distinctArgs.length !== 1) return null;
    if (!node.aggCalls.every((c) => MERGE[c.kind] !== undefined)) return null;
    const buckets = Number(ctx.config?.['table.optimizer.distinct-agg.split.bucket-num'] ?? '1024');
    if (!Number.isInteger(buckets) || buckets < 1)
      throw new Error(
        `'table.optimizer.distinct-agg.split.bucket-num' must be a positive integer, not '${ctx.config?.['table.optimizer.distinct-agg.split.bucket-num']}'`,
      );

    const input = node.input;
    const n = input.schema.size;
    const col = distinctArgs[0] as number;
    const INT = Types.INT(false);
    const bucket = Rex.call(
      'MOD',
      [
        Rex.call('ABS', [Rex.udf(HASH_CODE, [Rex.input(col, input.schema.field(col).type)], INT)], INT),
        Rex.literal(buckets, INT),
      ],
      INT,
    );
    const withBucket: LogicalPlan = {
      kind: 'project',
      input,
      exprs: [...input.schema.fields.map((f, i) => Rex.input(i, f.type)), bucket],
      schema: new Schema([...input.schema.fields, { name: '$bucket', type: INT }]),
    };
    const keys = node.groupKeys.length;
    const partialCalls: AggregateCall[] = node.aggCalls.map((c, j) => ({ ...c, name: `$partial${j}` }));
    const partial: LogicalPlan = {
      kind: 'aggregate',
      input: withBucket,
      groupKeys: [...node.groupKeys, n],
      aggCalls: partialCalls,
      schema: new Schema([
        ...node.groupKeys.map((k) => input.schema.field(k)),
        { name: '$bucket', type: INT },
        ...partialCalls.map((c) => ({ name: c.name, type: c.resultType })),
      ]),
    };
    const finalCalls: AggregateCall[] = node.aggCalls.map((c, j) => ({
      kind: MERGE[c.kind] as AggKind,
      args: [keys + 1 + j],
      distinct: false,
      filterArg: -1,
      resultType: c.resultType,
      name: c.name,
    }));
    return {
      kind: 'aggregate',
      input: partial,
      groupKeys: node.groupKeys.map((_k, i) => i),
      aggCalls: finalCalls,
      schema: node.schema,
    };
  },
};
