// The logical plan: a closed union of relational nodes, one IR for SQL and the Table API. Each node carries
// its output schema; `inputs()` and `explain()` cover every kind, so a new kind without a case will not compile.
import { Schema, formatType, unreachable, type LogicalType } from '../../executor/index.js';
import type { AggKind, UserAggregate } from '../../executor/index.js';
import type { CatalogTable } from '../catalog/catalog.js';
import { describeSourcePredicate, type SourcePredicate } from '../catalog/factory.js';
import { formatPath } from '../catalog/catalog.js';
import { explainRex } from '../expr/explain.js';
import { describeMatch, type MatchSpec } from './match.js';
import type { Rex } from '../expr/rex.js';
import type { UserTableFunction } from '../expr/functions.js';

/** Aggregate functions the engine runs: the runtime's accumulator library defines the list (one closed union). */
export type { AggKind } from '../../executor/index.js';

/** One aggregate call over input columns (expressions were projected into columns below the aggregate). */
export interface AggregateCall {
  readonly kind: AggKind;
  readonly args: readonly number[];
  readonly distinct: boolean;
  /** Input column of the BOOLEAN `FILTER (WHERE ...)` condition, or -1. */
  readonly filterArg: number;
  readonly resultType: LogicalType;
  readonly name: string;
  readonly separator?: string;
  /** The function of a 'UDAF' call. */
  readonly udaf?: UserAggregate;
}

/** What a Correlate calls per input row: a user-defined table function or UNNEST. */
export type CorrelateFunction =
  | { readonly kind: 'udtf'; readonly fn: UserTableFunction }
  | { readonly kind: 'unnest'; readonly withOrdinality: boolean };

/** A window of a window table function; sizes in ms, aligned to the epoch plus `offset`. */
export type WindowSpec =
  | { readonly kind: 'TUMBLE'; readonly size: number; readonly offset: number }
  | { readonly kind: 'HOP'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'CUMULATE'; readonly maxSize: number; readonly step: number; readonly offset: number }
  | { readonly kind: 'SESSION'; readonly gap: number };

export interface SortKey {
  readonly col: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export type RankType = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';
export type JoinKind = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

/** A ROWS or RANGE frame ending at the current row; `preceding` is a row count or ms, Infinity = UNBOUNDED. */
export interface OverFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly preceding: number;
}

/** An OVER function: a ranking function or an aggregate over the frame. */
export type OverCall =
  | { readonly kind: 'rank'; readonly rankType: RankType; readonly name: string }
  | { readonly kind: 'agg'; readonly call: AggregateCall };

export type LogicalPlan =
  | {
      readonly kind: 'scan';
      readonly table: CatalogTable;
      readonly schema: Schema;
      /** Pushed into the source (SupportsProjectionPushDown): the physical columns read, by position; absent = all. */
      readonly projection?: readonly number[];
      /** Pushed into the source (SupportsFilterPushDown): predicates over physical column positions it evaluates. */
      readonly filters?: readonly SourcePredicate[];
      /** Pushed into the source (SupportsWatermarkPushDown): generated per split, over this scan's output columns. */
      readonly watermark?: ScanWatermark;
    }
  /** Constant rows (`VALUES`, `SELECT` without FROM); each row's expressions reference no input. */
  | { readonly kind: 'values'; readonly rows: readonly (readonly Rex[])[]; readonly schema: Schema }
  /** Writes the input into a table through its connector; the input's columns match the sink's by position. */
  | {
      readonly kind: 'sink';
      readonly input: LogicalPlan;
      readonly table: CatalogTable;
      readonly schema: Schema;
    }
  | {
      readonly kind: 'project';
      readonly input: LogicalPlan;
      readonly exprs: readonly Rex[];
      readonly schema: Schema;
    }
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly condition: Rex; readonly schema: Schema }
  | {
      readonly kind: 'watermarkAssigner';
      readonly input: LogicalPlan;
      readonly rowtime: number;
      readonly expr: Rex;
      readonly schema: Schema;
    }
  /** GROUP BY: output = group key columns (in `groupKeys` order) then one column per aggregate call. */
  | {
      readonly kind: 'aggregate';
      readonly input: LogicalPlan;
      readonly groupKeys: readonly number[];
      readonly aggCalls: readonly AggregateCall[];
      readonly schema: Schema;
    }
  /** A join; `condition` is over left ++ right columns. SEMI/ANTI output the left columns only. */
  | {
      readonly kind: 'join';
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly joinType: JoinKind;
      readonly condition: Rex;
      /**
       * `JOIN versioned FOR SYSTEM_TIME AS OF left.rowtime`: the left rowtime and the right's version time. With
       * `lookup`, `AS OF left.proctime` of a lookup join: the right is a table scan read by key at processing
       * time (rightTime is -1).
       */
      readonly temporal?: { readonly leftTime: number; readonly rightTime: number; readonly lookup?: boolean };
      readonly schema: Schema;
    }
  /**
   * LATERAL TABLE(f(...)) / UNNEST(...): input ++ the function's columns, the function called per input row with
   * `args` (over the input). INNER drops rows without output, LEFT pads them with NULLs (Flink's Correlate).
   */
  | {
      readonly kind: 'correlate';
      readonly input: LogicalPlan;
      readonly fn: CorrelateFunction;
      readonly args: readonly Rex[];
      readonly joinType: 'INNER' | 'LEFT';
      readonly schema: Schema;
    }
  /** UNION ALL of inputs with the same column types. */
  | { readonly kind: 'union'; readonly inputs: readonly LogicalPlan[]; readonly schema: Schema }
  /** Window table function: input ++ window_start, window_end, window_time, one row per window of a row. */
  | {
      readonly kind: 'windowTvf';
      readonly input: LogicalPlan;
      readonly window: WindowSpec;
      readonly timeCol: number;
      readonly partitionKeys: readonly number[];
      readonly schema: Schema;
    }
  /** ORDER BY / LIMIT / OFFSET (fetch null = no limit). */
  | {
      readonly kind: 'sort';
      readonly input: LogicalPlan;
      readonly keys: readonly SortKey[];
      readonly offset: number;
      readonly fetch: number | null;
      readonly schema: Schema;
    }
  /** OVER functions over one window: input ++ one column per call. */
  | {
      readonly kind: 'over';
      readonly input: LogicalPlan;
      readonly partitionKeys: readonly number[];
      readonly orderKeys: readonly SortKey[];
      readonly frame: OverFrame;
      readonly calls: readonly OverCall[];
      readonly schema: Schema;
    }
  // Nodes the optimizer introduces (recognized patterns with their own operators):
  /** Window aggregate: group keys (without the window columns) ++ aggregates ++ window_start, window_end, window_time. */
  | {
      readonly kind: 'windowAggregate';
      readonly input: LogicalPlan;
      readonly groupKeys: readonly number[];
      readonly aggCalls: readonly AggregateCall[];
      readonly window: WindowSpec;
      readonly timeCol: number;
      /**
       * Set when the input was already windowed (cascading windows): the output columns (group keys) that carry
       * the input's window_start and window_end, and that window; `window` is then only the firing grid.
       */
      readonly attached?: { readonly start: number; readonly end: number; readonly window: WindowSpec };
      readonly schema: Schema;
    }
  /** Top-N: input (++ the rank number when `outputRankNumber`). */
  | {
      readonly kind: 'rank';
      readonly input: LogicalPlan;
      readonly partitionKeys: readonly number[];
      readonly orderKeys: readonly SortKey[];
      readonly rankType: RankType;
      readonly rankStart: number;
      readonly rankEnd: number;
      readonly outputRankNumber: boolean;
      /** Set for window Top-N: the window_end column, ranks per window fire with the watermark. */
      readonly windowEnd: number | null;
      readonly schema: Schema;
    }
  /** Keeps the first or last row per key by a time attribute (ROW_NUMBER ... = 1). */
  | {
      readonly kind: 'deduplicate';
      readonly input: LogicalPlan;
      readonly keys: readonly number[];
      readonly keepLast: boolean;
      readonly timeCol: number;
      readonly isRowtime: boolean;
      /** Set for window deduplication. */
      readonly windowEnd: number | null;
      readonly schema: Schema;
    }
  /** MATCH_RECOGNIZE, ONE ROW PER MATCH: the partition key columns ++ one column per measure. */
  | { readonly kind: 'match'; readonly input: LogicalPlan; readonly spec: MatchSpec; readonly schema: Schema };

export type PlanKind = LogicalPlan['kind'];

export function inputs(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'sink':
    case 'project':
    case 'filter':
    case 'watermarkAssigner':
    case 'aggregate':
    case 'windowTvf':
    case 'sort':
    case 'over':
    case 'windowAggregate':
    case 'rank':
    case 'deduplicate':
    case 'match':
    case 'correlate':
      return [p.input];
    case 'join':
      return [p.left, p.right];
    case 'union':
      return [...p.inputs];
    default:
      return unreachable(p);
  }
}

function describe(p: LogicalPlan): string {
  const names = p.schema.names();
  switch (p.kind) {
    case 'scan':
      return `LogicalTableScan(table=[${describeScanTable(p)}], fields=[${names.join(', ')}])`;
    case 'values':
      return `LogicalValues(tuples=[${p.rows.map((r) => `{ ${r.map((e) => explainRex(e, p.schema)).join(', ')} }`).join(', ')}])`;
    case 'sink':
      return `LogicalSink(table=[${formatPath(p.table.path)}], fields=[${p.input.schema.names().join(', ')}])`;
    case 'project':
      return `LogicalProject(${p.exprs.map((e, i) => `${names[i]}=[${explainRex(e, p.input.schema)}]`).join(', ')})`;
    case 'filter':
      return `LogicalFilter(condition=[${explainRex(p.condition, p.input.schema)}])`;
    case 'watermarkAssigner':
      return `LogicalWatermarkAssigner(rowtime=[${names[p.rowtime]}], watermark=[${explainRex(p.expr, p.input.schema)}])`;
    case 'aggregate':
      return `LogicalAggregate(group=[{${p.groupKeys.join(', ')}}]${p.aggCalls.map((c) => `, ${c.name}=[${describeAggCall(c, p.input.schema)}]`).join('')})`;
    case 'join':
      return `LogicalJoin(condition=[${explainRex(p.condition, joinSchemaOf(p))}], joinType=[${p.joinType.toLowerCase()}]${p.temporal !== undefined ? `, ${p.temporal.lookup === true ? 'lookup' : 'temporal'}=[AS OF ${p.left.schema.field(p.temporal.leftTime).name}]` : ''})`;
    case 'union':
      return `LogicalUnion(all=[true])`;
    case 'correlate':
      return `LogicalCorrelate(invocation=[${describeInvocation(p.fn, p.args, p.input.schema)}], joinType=[${p.joinType.toLowerCase()}], rowType=[${names.slice(p.input.schema.size).join(', ')}])`;
    case 'windowTvf':
      return `LogicalTableFunctionScan(invocation=[${describeWindow(p.window, p.input.schema.field(p.timeCol).name)}], rowType=[${names.join(', ')}])`;
    case 'sort':
      return `LogicalSort(${[p.keys.length > 0 ? `sort=[${describeSortKeys(p.keys, p.input.schema)}]` : '', p.offset > 0 ? `offset=[${p.offset}]` : '', p.fetch !== null ? `fetch=[${p.fetch}]` : ''].filter((x) => x !== '').join(', ')})`;
    case 'over':
      return `LogicalOverAggregate(partitionBy=[${p.partitionKeys.map((k) => p.input.schema.field(k).name).join(', ')}], orderBy=[${describeSortKeys(p.orderKeys, p.input.schema)}], ${p.frame.unit} ${p.frame.preceding === Infinity ? 'UNBOUNDED' : p.frame.preceding} PRECEDING, select=[${p.calls.map((c) => (c.kind === 'rank' ? `${c.rankType}() AS ${c.name}` : `${describeAggCall(c.call, p.input.schema)} AS ${c.call.name}`)).join(', ')}])`;
    case 'windowAggregate':
      return `LogicalWindowAggregate(groupBy=[${p.groupKeys.map((k) => p.input.schema.field(k).name).join(', ')}], window=[${describeWindow(p.window, p.input.schema.field(p.timeCol).name)}], select=[${p.aggCalls.map((c) => `${describeAggCall(c, p.input.schema)} AS ${c.name}`).join(', ')}])`;
    case 'rank':
      return `LogicalRank(rankType=[${p.rankType}], rankRange=[rankStart=${p.rankStart}, rankEnd=${p.rankEnd}], partitionBy=[${p.partitionKeys.map((k) => p.input.schema.field(k).name).join(', ')}], orderBy=[${describeSortKeys(p.orderKeys, p.input.schema)}]${p.windowEnd !== null ? `, windowEnd=[${p.input.schema.field(p.windowEnd).name}]` : ''}, select=[${names.join(', ')}])`;
    case 'match':
      return `LogicalMatch(${describeMatch(p.spec, p.input.schema, p.schema)})`;
    case 'deduplicate':
      return `LogicalDeduplicate(keep=[${p.keepLast ? 'LastRow' : 'FirstRow'}], key=[${p.keys.map((k) => p.input.schema.field(k).name).join(', ')}], order=[${p.isRowtime ? 'ROWTIME' : 'PROCTIME'}]${p.windowEnd !== null ? `, windowEnd=[${p.input.schema.field(p.windowEnd).name}]` : ''})`;
    default:
      return unreachable(p);
  }
}

/**
 * The scanned table with what was pushed into it, as Flink prints a source after push-down:
 * `default_catalog.default_database.t, project=[a, b], filter=[>(a, 1)]`.
 */
export function describeScanTable(p: {
  readonly table: CatalogTable;
  readonly projection?: readonly number[];
  readonly filters?: readonly SourcePredicate[];
  readonly watermark?: ScanWatermark;
  readonly schema: Schema;
}): string {
  const physical = physicalSchemaOf(p.table);
  const parts = [formatPath(p.table.path)];
  if (p.projection !== undefined) parts.push(`project=[${p.projection.map((i) => physical.field(i).name).join(', ')}]`);
  if (p.filters !== undefined && p.filters.length > 0) {
    parts.push(`filter=[${p.filters.length === 1 ? describeSourcePredicate(p.filters[0]!, physical) : `and(${p.filters.map((f) => describeSourcePredicate(f, physical)).join(', ')})`}]`);
  }
  if (p.watermark !== undefined) {
    // Named by the table's columns: a Calc fused into the scan may have renamed its output fields.
    const proj = p.projection ?? physical.fields.map((_f, i) => i);
    const meta = p.table.columns.flatMap((c) => (c.kind === 'metadata' ? [c.name] : []));
    const names = new Schema(p.schema.fields.map((f, i) => ({ name: i < proj.length ? physical.field(proj[i] as number).name : (meta[i - proj.length] ?? f.name), type: f.type })));
    parts.push(`watermark=[${explainRex(p.watermark.expr, names)}]`);
  }
  return parts.join(', ');
}

/** A WATERMARK pushed into a scan: the rowtime column and the watermark expression, both over the scan's output. */
export interface ScanWatermark {
  readonly rowtime: number;
  readonly expr: Rex;
}

/** A table's physical columns in declaration order: what its source reads before projection push-down. */
export function physicalSchemaOf(table: CatalogTable): Schema {
  return new Schema(table.columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name, type: c.type }] : [])));
}

/** Indented plan text, one node per line, children below their parent (as Flink's EXPLAIN prints it). */
export function explainPlan(p: LogicalPlan, indent = 0): string {
  const line = `${'   '.repeat(indent)}${indent > 0 ? '+- ' : ''}${describe(p)}`;
  return [line, ...inputs(p).map((c) => explainPlan(c, indent + 1))].join('\n');
}

export function explainSchema(s: Schema): string {
  return s.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ');
}

/** The schema a join condition is written over: left columns then right columns. */
export function joinSchemaOf(p: Extract<LogicalPlan, { kind: 'join' }>): Schema {
  return p.left.schema.concat(p.right.schema);
}

/** `split(line)`, `UNNEST(tags) WITH ORDINALITY`: the call a Correlate makes, over its input's columns. */
export function describeInvocation(fn: CorrelateFunction, args: readonly Rex[], input: Schema): string {
  const a = args.map((r) => explainRex(r, input)).join(', ');
  return fn.kind === 'udtf' ? `${fn.fn.name}(${a})` : `UNNEST(${a})${fn.withOrdinality ? ' WITH ORDINALITY' : ''}`;
}

export function describeAggCall(c: AggregateCall, input: Schema): string {
  if (c.kind === 'UDAF') {
    const args = c.args.map((a) => input.field(a).name).join(', ');
    return `${c.udaf?.name ?? 'UDAF'}(${args})${c.filterArg >= 0 ? ` FILTER ${input.field(c.filterArg).name}` : ''}`;
  }
  const args =
    c.args.length === 0 && c.kind === 'COUNT' ? '*' : c.args.map((a) => input.field(a).name).join(', ');
  return `${c.kind}(${c.distinct ? 'DISTINCT ' : ''}${args})${c.filterArg >= 0 ? ` FILTER ${input.field(c.filterArg).name}` : ''}`;
}

export function describeSortKeys(keys: readonly SortKey[], input: Schema): string {
  return keys
    .map(
      (k) =>
        `${input.field(k.col).name} ${k.descending ? 'DESC' : 'ASC'}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`,
    )
    .join(', ');
}

/** Flink's EXPLAIN text of a window: `TUMBLE(time_col=[ts], size=[10 s])`. */
export function describeWindow(w: WindowSpec, timeCol: string): string {
  switch (w.kind) {
    case 'TUMBLE':
      return `TUMBLE(time_col=[${timeCol}], size=[${duration(w.size)}]${w.offset !== 0 ? `, offset=[${duration(w.offset)}]` : ''})`;
    case 'HOP':
      return `HOP(time_col=[${timeCol}], size=[${duration(w.size)}], slide=[${duration(w.slide)}]${w.offset !== 0 ? `, offset=[${duration(w.offset)}]` : ''})`;
    case 'CUMULATE':
      return `CUMULATE(time_col=[${timeCol}], max_size=[${duration(w.maxSize)}], step=[${duration(w.step)}]${w.offset !== 0 ? `, offset=[${duration(w.offset)}]` : ''})`;
    case 'SESSION':
      return `SESSION(time_col=[${timeCol}], gap=[${duration(w.gap)}])`;
    default:
      return unreachable(w);
  }
}

/** `10 s`, `1 min`, `1 h`, `1500 ms`: the largest unit that divides the duration, as Flink prints them. */
export function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms !== 0 && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}
