// The physical plan as text (EXPLAIN): one node per line with Flink's names and argument style, each with its
// changelog mode, children indented below their parent.
import { unreachable } from '../../executor/index.js';
import { formatPath } from '../catalog/catalog.js';
import { explainRex } from '../expr/explain.js';
import type { Rex } from '../expr/rex.js';
import { describeMatch } from '../logical/match.js';
import { describeAggCall, describeInvocation, describeScanTable, describeSortKeys, describeWindow } from '../logical/plan.js';
import { formatMode, physicalInputs, type PhysicalNode } from './plan.js';

/** `costs` (EXPLAIN ESTIMATED_COST): the text appended to each node's line, `: rowcount = ..., cumulative cost = {...}`. */
export function explainPhysical(n: PhysicalNode, withChangelog = true, indent = 0, costs?: (n: PhysicalNode) => string): string {
  const mode = withChangelog ? `, changelogMode=[${formatMode(n.changelog)}]` : '';
  const cost = costs !== undefined ? `: ${costs(n)}` : '';
  const line = `${'   '.repeat(indent)}${indent > 0 ? '+- ' : ''}${n.kind}(${describe(n)}${mode})${cost}`;
  return [line, ...physicalInputs(n).map((c) => explainPhysical(c, withChangelog, indent + 1, costs))].join('\n');
}

function names(
  n: PhysicalNode,
  cols: readonly number[],
  from = n.kind === 'StreamTableSourceScan' ? n.schema : (physicalInputs(n)[0]?.schema ?? n.schema),
): string {
  return cols.map((c) => from.field(c).name).join(', ');
}

function describe(n: PhysicalNode): string {
  const out = n.schema.names().join(', ');
  switch (n.kind) {
    case 'StreamTableSourceScan':
      return `table=[[${describeScanTable(n)}]], fields=[${out}]`;
    case 'StreamValues':
      return `tuples=[${n.rows.length} rows], fields=[${out}]`;
    case 'StreamCalc': {
      const sel = n.projections.map((e, i) => {
        const text = explainRex(e, n.input.schema);
        const name = n.schema.field(i).name;
        return text === name ? text : `${text} AS ${name}`;
      });
      return `select=[${sel.join(', ')}]${n.condition !== null ? `, where=[${explainRex(n.condition, n.input.schema)}]` : ''}`;
    }
    case 'StreamWatermarkAssigner':
      return `rowtime=[${n.input.schema.field(n.rowtime).name}], watermark=[${explainRex(n.expr, n.input.schema)}]`;
    case 'StreamExchange':
      return `distribution=[${n.distribution.kind === 'single' ? 'single' : `hash[${names(n, n.distribution.keys, n.schema)}]`}]`;
    case 'StreamGroupAggregate':
      return `groupBy=[${names(n, n.groupKeys)}], select=[${[...n.groupKeys.map((k) => n.input.schema.field(k).name), ...n.aggCalls.map((c) => `${describeAggCall(c, n.input.schema)} AS ${c.name}`)].join(', ')}]`;
    case 'StreamLocalGroupAggregate':
      return `groupBy=[${names(n, n.groupKeys)}], select=[${[...n.groupKeys.map((k) => n.input.schema.field(k).name), ...n.aggCalls.map((c) => `${describeAggCall(c, n.input.schema)} AS ${c.name}`)].join(', ')}], partial=[$partial]`;
    case 'StreamGlobalGroupAggregate':
      return `groupBy=[${n.groupKeys.map((k) => n.localInput.field(k).name).join(', ')}], select=[${[...n.groupKeys.map((k) => n.localInput.field(k).name), ...n.aggCalls.map((c) => `${describeAggCall(c, n.localInput)} AS ${c.name}`)].join(', ')}]`;
    case 'StreamWindowAggregate':
      return `groupBy=[${names(n, n.groupKeys)}], window=[${describeWindow(n.window, n.input.schema.field(n.timeCol).name)}], select=[${[
        ...n.groupKeys.map((k) => n.input.schema.field(k).name),
        ...n.aggCalls.map((c) => `${describeAggCall(c, n.input.schema)} AS ${c.name}`),
        "start('w$) AS window_start",
        "end('w$) AS window_end",
        "rowtime('w$) AS window_time",
      ].join(', ')}]`;
    case 'StreamWindowTableFunction':
      return `window=[${describeWindow(n.window, n.input.schema.field(n.timeCol).name)}]`;
    case 'StreamJoin':
    case 'StreamIntervalJoin':
    case 'StreamWindowJoin':
    case 'StreamTemporalJoin': {
      const pair = n.left.schema.concat(n.right.schema);
      const keys = n.leftKeys.map(
        (l, i) => `=(${n.left.schema.field(l).name}, ${n.right.schema.field(n.rightKeys[i] as number).name})`,
      );
      const extra =
        n.kind === 'StreamIntervalJoin'
          ? `, windowBounds=[leftTime=${n.left.schema.field(n.leftTime).name}, rightTime=${n.right.schema.field(n.rightTime).name}, leftLowerBound=${n.lowerBound}, leftUpperBound=${n.upperBound}]`
          : n.kind === 'StreamTemporalJoin'
            ? `, temporal=[leftTime=${n.left.schema.field(n.leftTime).name}, rightTime=${n.right.schema.field(n.rightTime).name}]`
            : n.kind === 'StreamWindowJoin'
            ? `, leftWindowEnd=[${n.left.schema.field(n.leftWindowEnd).name}], rightWindowEnd=[${n.right.schema.field(n.rightWindowEnd).name}]`
            : '';
      const where = [...keys, ...(n.nonEqui !== null ? [explainRex(n.nonEqui, pair)] : [])];
      return `joinType=[${n.joinType === 'INNER' ? 'InnerJoin' : n.joinType === 'LEFT' ? 'LeftOuterJoin' : n.joinType === 'RIGHT' ? 'RightOuterJoin' : n.joinType === 'FULL' ? 'FullOuterJoin' : n.joinType === 'SEMI' ? 'LeftSemiJoin' : 'LeftAntiJoin'}], where=[${where.length === 0 ? 'true' : where.length === 1 ? where[0] : `AND(${where.join(', ')})`}]${extra}, select=[${out}]`;
    }
    case 'StreamLookupJoin': {
      const pair = n.input.schema.concat(n.lookupSchema);
      const keys = n.lookupKeys.map((k, i) => `${n.lookupSchema.field(k).name}=${explainRex(n.leftKeys[i] as Rex, n.input.schema)}`);
      return `table=[${formatPath(n.table.path)}], joinType=[${n.joinType === 'INNER' ? 'InnerJoin' : 'LeftOuterJoin'}], lookup=[${keys.join(', ')}]${n.nonEqui !== null ? `, where=[${explainRex(n.nonEqui, pair)}]` : ''}, select=[${out}]`;
    }
    case 'StreamMatch':
      return describeMatch(n.spec, n.input.schema, n.schema);
    case 'StreamSinkUpsertMaterializer':
      return `keys=[${names(n, n.keys)}]`;
    case 'StreamUnion':
      return `all=[true], union=[${out}]`;
    case 'StreamCorrelate': {
      const call = describeInvocation(n.fn, n.args, n.input.schema);
      return `invocation=[${call}], correlate=[table(${call})], select=[${out}], joinType=[${n.joinType}]`;
    }
    case 'StreamRank':
    case 'StreamWindowRank':
      return `rankType=[${n.rankType}], rankRange=[rankStart=${n.rankStart}, rankEnd=${n.rankEnd}], partitionBy=[${names(n, n.partitionKeys)}], orderBy=[${describeSortKeys(n.orderKeys, n.input.schema)}]${n.kind === 'StreamWindowRank' ? `, windowEnd=[${n.input.schema.field(n.windowEnd).name}]` : ''}, select=[${out}]`;
    case 'StreamDeduplicate':
      return `keep=[${n.keepLast ? 'LastRow' : 'FirstRow'}], key=[${names(n, n.keys)}], order=[${n.isRowtime ? 'ROWTIME' : 'PROCTIME'}]`;
    case 'StreamWindowDeduplicate':
      return `keep=[${n.keepLast ? 'LastRow' : 'FirstRow'}], partitionKeys=[${names(n, n.keys)}], orderKey=[${n.input.schema.field(n.timeCol).name}], windowEnd=[${n.input.schema.field(n.windowEnd).name}]`;
    case 'StreamLimit':
      return `offset=[${n.offset}], fetch=[${n.fetch === Infinity ? 'unlimited' : n.fetch}]`;
    case 'StreamSortLimit':
      return `orderBy=[${describeSortKeys(n.keys, n.input.schema)}], offset=[${n.offset}], fetch=[${n.fetch}]`;
    case 'StreamTemporalSort':
      return `orderBy=[${describeSortKeys([{ col: n.timeCol, descending: false, nullsFirst: true }, ...n.secondary], n.input.schema)}]`;
    case 'StreamOverAggregate':
      return `partitionBy=[${names(n, n.partitionKeys)}], orderBy=[${n.input.schema.field(n.timeCol).name} ASC], window=[${n.frame.unit} BETWEEN ${n.frame.preceding === Infinity ? 'UNBOUNDED' : n.frame.preceding} PRECEDING AND CURRENT ROW], select=[${out}]`;
    case 'StreamChangelogNormalize':
      return `key=[${names(n, n.keys)}]`;
    case 'StreamMiniBatchAssigner':
      return `interval=[${n.intervalMs}ms], mode=[ProcTime]`;
    case 'BatchFinalTable':
      return `fields=[${out}]`;
    case 'StreamSink':
      return n.table === null
        ? `collect, fields=[${out}]`
        : `table=[${formatPath(n.table.path)}], fields=[${out}]`;
    default:
      return unreachable(n);
  }
}
