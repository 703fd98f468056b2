// Physical planning: the optimized logical plan becomes the streaming plan. Each node picks its operator (a join
// whose condition bounds both rowtimes becomes an interval join, one over two window TVFs a window join, ...),
// exchanges are inserted before keyed operators (hash on the keys, or everything to one subtask), adjacent Calcs
// fuse into one, and every node gets its changelog mode, checked against what its consumer accepts.
import {
  Types,
  formatType,
  withNullability,
  withoutTimeAttribute,
  Schema,
} from '../../executor/index.js';
import { UnsupportedError, ValidationError } from '../../parser/index.js';
import { formatPath, type CatalogTable } from '../catalog/catalog.js';
import type { FactoryRegistry } from '../catalog/factory.js';
import { Rex } from '../expr/rex.js';
import { conjuncts, inputsOf, isDeterministic, replaceInputs } from '../expr/rex-util.js';
import type { JoinKind, LogicalPlan } from '../logical/plan.js';
import { windowProperties } from '../logical/window-properties.js';
import { removeRedundantExchanges } from '../optimizer/rules/remove-redundant-exchange.js';
import { applyMiniBatch, miniBatchOf } from '../optimizer/rules/mini-batch.js';
import {
  INSERT_ONLY,
  RETRACT,
  UPSERT,
  formatMode,
  isInsertOnly,
  unionModes,
  type ChangelogMode,
  type Distribution,
  type PhysicalNode,
} from './plan.js';

/** Where planning errors point: the statement's text (a physical error names the operator, not a span). */
export interface PlanningContext {
  readonly factories: FactoryRegistry;
  readonly sql: string;
  readonly batch?: boolean;
  /** table.optimizer.agg-phase-strategy, resolved: TWO_PHASE only with mini-batch on and AUTO or TWO_PHASE (as in Flink). */
  readonly aggPhaseStrategy?: 'ONE_PHASE' | 'TWO_PHASE';
  /** table.exec.sink.upsert-materialize (default AUTO). */
  readonly upsertMaterialize?: 'AUTO' | 'FORCE' | 'NONE';
  /** The session configuration (mini-batch options). */
  readonly config?: Readonly<Record<string, string>>;
}

export function toPhysical(plan: LogicalPlan, ctx: PlanningContext): PhysicalNode {
  const root = translate(plan, ctx);
  // Physical rewrites (Flink's physical rewrite phase): exchanges whose input is already distributed so.
  const sink: PhysicalNode = root.kind === 'StreamSink' ? root : (() => {
    const input = finalTable(root, ctx);
    return { kind: 'StreamSink', input, table: null, schema: root.schema, changelog: input.changelog };
  })();
  const rewritten = removeRedundantExchanges(sink);
  // Mini-batch in streaming mode only (batch mode folds the final table anyway).
  const mb = ctx.batch === true ? null : miniBatchOf(ctx.config);
  return mb === null ? rewritten : applyMiniBatch(rewritten, mb);
}

/** Batch mode emits final results only: an updating result is folded into its final table first. */
function finalTable(n: PhysicalNode, ctx: PlanningContext): PhysicalNode {
  if (ctx.batch !== true || isInsertOnly(n.changelog)) return n;
  return { kind: 'BatchFinalTable', input: exchange(n, { kind: 'single' }), schema: n.schema, changelog: INSERT_ONLY };
}

function fail(ctx: PlanningContext, message: string): never {
  throw new ValidationError(message, ctx.sql, { start: 0, end: Math.max(1, ctx.sql.length) });
}

function unsupported(ctx: PlanningContext, feature: string): never {
  throw new UnsupportedError(feature, ctx.sql, { start: 0, end: Math.max(1, ctx.sql.length) });
}

function exchange(input: PhysicalNode, distribution: Distribution): PhysicalNode {
  return { kind: 'StreamExchange', input, distribution, schema: input.schema, changelog: input.changelog };
}

function byKeys(input: PhysicalNode, keys: readonly number[]): PhysicalNode {
  return exchange(input, keys.length === 0 ? { kind: 'single' } : { kind: 'hash', keys });
}

/** Operators that keep rows until the watermark fires them accept only inserts (Flink rejects updates too). */
function requireInsertOnly(ctx: PlanningContext, input: PhysicalNode, who: string): void {
  if (!isInsertOnly(input.changelog)) {
    fail(
      ctx,
      `${who} doesn't support consuming update and delete changes, which are produced by ${describeProducer(input)}`,
    );
  }
}

function describeProducer(n: PhysicalNode): string {
  let p = n;
  while (
    (p.kind === 'StreamCalc' || p.kind === 'StreamExchange' || p.kind === 'StreamWatermarkAssigner') &&
    !isInsertOnly(p.input.changelog)
  )
    p = p.input;
  return `node ${p.kind}${p.kind === 'StreamTableSourceScan' ? `(table=[${formatPath(p.table.path)}])` : ''} (changelog mode [${formatMode(p.changelog)}])`;
}

function sourceMode(table: CatalogTable, ctx: PlanningContext): ChangelogMode {
  const f = ctx.factories.get(table.options['connector'] ?? '');
  const kind = f?.sourceChangelogMode?.(table.options) ?? 'insert-only';
  return kind === 'insert-only' ? INSERT_ONLY : kind === 'upsert' ? UPSERT : RETRACT;
}

function translate(p: LogicalPlan, ctx: PlanningContext): PhysicalNode {
  switch (p.kind) {
    case 'scan': {
      const scan: PhysicalNode = {
        kind: 'StreamTableSourceScan',
        table: p.table,
        ...(p.projection !== undefined ? { projection: p.projection } : {}),
        ...(p.filters !== undefined && p.filters.length > 0 ? { filters: p.filters } : {}),
        // Batch mode has no watermarks but the final one (as for the WatermarkAssigner below).
        ...(p.watermark !== undefined && ctx.batch !== true ? { watermark: p.watermark } : {}),
        schema: p.schema,
        changelog: sourceMode(p.table, ctx),
      };
      // An upsert source has no -U rows and its -D may carry only the key: operators downstream need the old row,
      // so the last row per primary key is kept and the changelog completed (Flink's ChangelogNormalize).
      if (scan.changelog.updateAfter && !scan.changelog.updateBefore && p.table.primaryKey !== null) {
        const keys = p.table.primaryKey.map((k) => p.schema.indexOf(k));
        return { kind: 'StreamChangelogNormalize', input: byKeys(scan, keys), keys, schema: p.schema, changelog: RETRACT };
      }
      return scan;
    }
    case 'values':
      return { kind: 'StreamValues', rows: p.rows, schema: p.schema, changelog: INSERT_ONLY };
    case 'project':
      return calc(translate(p.input, ctx), p.exprs, null, p.schema);
    case 'filter': {
      const input = translate(p.input, ctx);
      return calc(
        input,
        p.schema.fields.map((f, i) => Rex.input(i, f.type)),
        p.condition,
        p.schema,
      );
    }
    case 'watermarkAssigner': {
      const input = translate(p.input, ctx);
      // Batch mode has no late data: the only watermark is the maximal one at the end of the bounded input, so
      // every window and timer fires once, over all rows (Flink's batch runtime sorts instead; results agree).
      if (ctx.batch === true) return { ...input, schema: p.schema } as PhysicalNode;
      return {
        kind: 'StreamWatermarkAssigner',
        input,
        rowtime: p.rowtime,
        expr: p.expr,
        schema: p.schema,
        changelog: input.changelog,
      };
    }
    case 'aggregate': {
      const below = translate(p.input, ctx);
      // Two-phase (local-global) aggregation, Flink's table.optimizer.agg-phase-strategy: the local phase folds
      // each batch per key before the exchange, so a hot key sends one partial per batch instead of every row.
      // A user-defined aggregate over an updating input must retract; one in two-phase aggregation must merge.
      const noRetract = p.aggCalls.find((c) => c.kind === 'UDAF' && c.udaf?.retract === undefined);
      if (noRetract !== undefined && !isInsertOnly(below.changelog))
        fail(ctx, `AggregateFunction ${noRetract.udaf?.name} must implement retract(acc, ...args): its input produces updates and deletes (${describeProducer(below)})`);
      const twoPhase = ctx.aggPhaseStrategy === 'TWO_PHASE' && p.aggCalls.length > 0 && p.aggCalls.every((c) => c.kind !== 'FIRST_VALUE' && c.kind !== 'LAST_VALUE' && c.kind !== 'LISTAGG' && (c.kind !== 'UDAF' || c.udaf?.merge !== undefined));
      if (twoPhase) {
        const partial = new Schema([...p.groupKeys.map((k) => p.input.schema.field(k)), { name: '$partial', type: Types.BYTES(false) }]);
        const local: PhysicalNode = { kind: 'StreamLocalGroupAggregate', input: below, groupKeys: p.groupKeys, aggCalls: p.aggCalls, schema: partial, changelog: INSERT_ONLY };
        return {
          kind: 'StreamGlobalGroupAggregate',
          input: byKeys(local, p.groupKeys.map((_k, i) => i)),
          localInput: p.input.schema,
          groupKeys: p.groupKeys,
          aggCalls: p.aggCalls,
          schema: p.schema,
          changelog: RETRACT,
        };
      }
      const input = byKeys(below, p.groupKeys);
      return {
        kind: 'StreamGroupAggregate',
        input,
        groupKeys: p.groupKeys,
        aggCalls: p.aggCalls,
        schema: p.schema,
        changelog: RETRACT,
      };
    }
    case 'windowAggregate': {
      const input = translate(p.input, ctx);
      requireInsertOnly(ctx, input, 'StreamWindowAggregate');
      // Window state is kept per slice and merged when a window fires, so a user-defined aggregate must merge.
      const noMerge = p.aggCalls.find((c) => c.kind === 'UDAF' && c.udaf?.merge === undefined);
      if (noMerge !== undefined)
        fail(ctx, `AggregateFunction ${noMerge.udaf?.name} must implement merge(acc, others) to run in a window aggregation`);
      return {
        kind: 'StreamWindowAggregate',
        input: byKeys(input, p.groupKeys),
        groupKeys: p.groupKeys,
        aggCalls: p.aggCalls,
        window: p.window,
        timeCol: p.timeCol,
        schema: p.schema,
        changelog: INSERT_ONLY,
      };
    }
    case 'windowTvf': {
      const input = translate(p.input, ctx);
      requireInsertOnly(ctx, input, 'StreamWindowTableFunction');
      // SESSION without aggregation buffers rows per partition until the watermark: it needs the rows by key.
      const routed = p.window.kind === 'SESSION' ? byKeys(input, p.partitionKeys) : input;
      return {
        kind: 'StreamWindowTableFunction',
        input: routed,
        window: p.window,
        timeCol: p.timeCol,
        partitionKeys: p.partitionKeys,
        schema: p.schema,
        changelog: INSERT_ONLY,
      };
    }
    case 'join':
      return join(p, ctx);
    case 'correlate': {
      // Stateless per row, so it runs where its input runs and passes the input's changelog on (Flink's
      // StreamPhysicalCorrelate: a -U of the input retracts the rows its +I produced).
      const input = translate(p.input, ctx);
      return { kind: 'StreamCorrelate', input, fn: p.fn, args: p.args, joinType: p.joinType, schema: p.schema, changelog: input.changelog };
    }
    case 'union': {
      const inputs = p.inputs.map((i) => translate(i, ctx));
      return {
        kind: 'StreamUnion',
        inputs,
        schema: p.schema,
        changelog: unionModes(inputs.map((i) => i.changelog)),
      };
    }
    case 'sort':
      return sort(p, ctx);
    case 'over': {
      const input = translate(p.input, ctx);
      if (p.calls.some((c) => c.kind === 'rank')) {
        unsupported(
          ctx,
          'ROW_NUMBER, RANK and DENSE_RANK outside a Top-N query (filter the rank in an outer query: WHERE rn <= N)',
        );
      }
      const first = p.orderKeys[0];
      const t = first === undefined ? null : p.input.schema.field(first.col).type;
      const attr =
        t !== null && (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') ? t.timeAttribute : undefined;
      if (
        p.orderKeys.length !== 1 ||
        first === undefined ||
        first.descending ||
        attr === undefined ||
        attr === null
      ) {
        fail(
          ctx,
          'OVER windows must be ordered by exactly one time attribute, ascending (Flink supports only that in streaming)',
        );
      }
      requireInsertOnly(ctx, input, 'StreamOverAggregate');
      return {
        kind: 'StreamOverAggregate',
        input: byKeys(input, p.partitionKeys),
        partitionKeys: p.partitionKeys,
        timeCol: first.col,
        frame: p.frame,
        calls: p.calls,
        schema: p.schema,
        changelog: INSERT_ONLY,
      };
    }
    case 'rank': {
      const input = translate(p.input, ctx);
      if (p.windowEnd !== null) {
        requireInsertOnly(ctx, input, 'StreamWindowRank');
        return {
          kind: 'StreamWindowRank',
          input: byKeys(input, p.partitionKeys),
          partitionKeys: p.partitionKeys,
          orderKeys: p.orderKeys,
          rankType: p.rankType,
          rankStart: p.rankStart,
          rankEnd: p.rankEnd,
          outputRankNumber: p.outputRankNumber,
          windowEnd: p.windowEnd,
          schema: p.schema,
          changelog: INSERT_ONLY,
        };
      }
      return {
        kind: 'StreamRank',
        input: byKeys(input, p.partitionKeys),
        partitionKeys: p.partitionKeys,
        orderKeys: p.orderKeys,
        rankType: p.rankType,
        rankStart: p.rankStart,
        rankEnd: p.rankEnd,
        outputRankNumber: p.outputRankNumber,
        schema: p.schema,
        changelog: RETRACT,
      };
    }
    case 'match': {
      const input = translate(p.input, ctx);
      if (p.spec.isRowtime) requireInsertOnly(ctx, input, 'StreamMatch');
      else if (!isInsertOnly(input.changelog)) fail(ctx, `Match Recognize doesn't support consuming update and delete changes which is produced by ${describeProducer(input)}`);
      // Without PARTITION BY every row goes to one subtask, to keep one global order (as Flink warns).
      return { kind: 'StreamMatch', input: byKeys(input, p.spec.partitionKeys), spec: p.spec, schema: p.schema, changelog: INSERT_ONLY };
    }
    case 'deduplicate': {
      const input = translate(p.input, ctx);
      if (p.windowEnd !== null) {
        requireInsertOnly(ctx, input, 'StreamWindowDeduplicate');
        return {
          kind: 'StreamWindowDeduplicate',
          input: byKeys(input, p.keys),
          keys: p.keys,
          keepLast: p.keepLast,
          timeCol: p.timeCol,
          windowEnd: p.windowEnd,
          schema: p.schema,
          changelog: INSERT_ONLY,
        };
      }
      // Keeping the first row by processing time never revises a row; every other variant emits updates.
      const changelog = !p.keepLast && !p.isRowtime && isInsertOnly(input.changelog) ? INSERT_ONLY : RETRACT;
      return {
        kind: 'StreamDeduplicate',
        input: byKeys(input, p.keys),
        keys: p.keys,
        keepLast: p.keepLast,
        timeCol: p.timeCol,
        isRowtime: p.isRowtime,
        schema: p.schema,
        changelog,
      };
    }
    case 'sink': {
      const input = finalTable(translate(p.input, ctx), ctx);
      const f = ctx.factories.get(p.table.options['connector'] ?? '');
      const accepts = f?.sinkChangelogMode?.(p.table.options) ?? 'insert-only';
      if (accepts === 'insert-only' && !isInsertOnly(input.changelog)) {
        fail(
          ctx,
          `Table sink '${formatPath(p.table.path)}' (connector '${p.table.options['connector']}') accepts only inserts, but the query produces updates and deletes from ${describeUpdater(input)}; declare a PRIMARY KEY on the sink and use an upsert connector (e.g. 'upsert-kafka'), or a changelog format (e.g. 'debezium-json')`,
        );
      }
      if (
        accepts === 'upsert' &&
        (p.table.primaryKey === null || p.table.primaryKey.length === 0) &&
        !isInsertOnly(input.changelog)
      ) {
        fail(
          ctx,
          `Table sink '${formatPath(p.table.path)}' writes upserts and needs a PRIMARY KEY to apply the query's updates`,
        );
      }
      const pk = (p.table.primaryKey ?? []).map((k) => p.schema.indexOf(k));
      if (needsUpsertMaterializer(input, pk, ctx.upsertMaterialize ?? 'AUTO')) {
        // The sink keyed by its PRIMARY KEY: rows of one key meet in one materializer (and one writer).
        const mat: PhysicalNode = { kind: 'StreamSinkUpsertMaterializer', input: byKeys(input, pk), keys: pk, schema: input.schema, changelog: UPSERT };
        return { kind: 'StreamSink', input: mat, table: p.table, schema: p.schema, changelog: mat.changelog };
      }
      return { kind: 'StreamSink', input, table: p.table, schema: p.schema, changelog: input.changelog };
    }
  }
}

/**
 * table.exec.sink.upsert-materialize (Flink's FlinkChangelogModeInferenceProgram): FORCE materializes before
 * every sink with a PRIMARY KEY, NONE never, AUTO when the input has updates and none of its upsert keys lies
 * within the sink's key (then changes of one sink key may come from several upstream keys, out of order).
 */
function needsUpsertMaterializer(input: PhysicalNode, pk: readonly number[], mode: 'AUTO' | 'FORCE' | 'NONE'): boolean {
  if (pk.length === 0 || mode === 'NONE') return false;
  if (mode === 'FORCE') return true;
  if (isInsertOnly(input.changelog)) return false;
  const keys = upsertKeys(input);
  return keys === null || !keys.some((k) => k.every((c) => pk.includes(c)));
}

/** Column sets the changelog of `n` is keyed by (Flink's FlinkRelMdUpsertKeys, for the nodes that have one). */
export function upsertKeys(n: PhysicalNode): number[][] | null {
  switch (n.kind) {
    case 'StreamTableSourceScan':
      return n.table.primaryKey === null ? null : [n.table.primaryKey.map((k) => n.schema.indexOf(k))];
    case 'StreamExchange':
    case 'StreamWatermarkAssigner':
      return upsertKeys(n.input);
    case 'StreamChangelogNormalize':
    case 'StreamDeduplicate':
    case 'StreamSinkUpsertMaterializer':
      return [[...n.keys]];
    case 'StreamGroupAggregate':
    case 'StreamGlobalGroupAggregate':
      return [n.groupKeys.map((_k, i) => i)];
    case 'StreamRank':
      if (n.outputRankNumber) return [[...n.partitionKeys, n.schema.size - 1]];
      return n.rankEnd === 1 ? [[...n.partitionKeys]] : null;
    case 'StreamCalc': {
      const below = upsertKeys(n.input);
      if (below === null) return null;
      const out: number[][] = [];
      for (const k of below) {
        const mapped = k.map((c) => n.projections.findIndex((e) => e.kind === 'input' && e.index === c));
        if (mapped.every((i) => i >= 0)) out.push(mapped);
      }
      return out.length === 0 ? null : out;
    }
    default:
      return null;
  }
}

/** The operator that first turned the stream into updates, for the sink error. */
function describeUpdater(n: PhysicalNode): string {
  let p: PhysicalNode = n;
  for (;;) {
    const ins =
      p.kind === 'StreamJoin'
        ? [p.left, p.right]
        : p.kind === 'StreamUnion'
          ? p.inputs
          : 'input' in p
            ? [p.input]
            : [];
    const next = ins.find((i) => !isInsertOnly(i.changelog));
    if (next === undefined) break;
    p = next;
  }
  const what: Partial<Record<PhysicalNode['kind'], string>> = {
    StreamGroupAggregate: 'the GROUP BY aggregation (StreamGroupAggregate)',
    StreamJoin: 'the regular join (StreamJoin)',
    StreamRank: 'the Top-N (StreamRank)',
    StreamSortLimit: 'ORDER BY ... LIMIT (StreamSortLimit)',
    StreamDeduplicate: 'the deduplication (StreamDeduplicate)',
    StreamTableSourceScan: 'the changelog source',
  };
  return what[p.kind] ?? p.kind;
}

/** A Calc, fused with a Calc below it when that one is deterministic (Flink's FlinkCalcMergeRule). */
function calc(
  input: PhysicalNode,
  projections: readonly Rex[],
  condition: Rex | null,
  schema: Schema,
): PhysicalNode {
  if (input.kind === 'StreamCalc' && input.projections.every(isDeterministic)) {
    const inline = (r: Rex): Rex => replaceInputs(r, (i) => input.projections[i] as Rex);
    const cond =
      condition === null
        ? input.condition
        : input.condition === null
          ? inline(condition)
          : and(input.condition, inline(condition));
    return {
      kind: 'StreamCalc',
      input: input.input,
      projections: projections.map(inline),
      condition: cond,
      schema,
      changelog: input.changelog,
    };
  }
  // A projection that only renames (identity over the input, no condition) runs as no operator at all.
  if (
    condition === null &&
    projections.length === input.schema.size &&
    projections.every((r, i) => r.kind === 'input' && r.index === i) &&
    sameTypes(schema, input.schema)
  ) {
    return { ...input, schema } as PhysicalNode;
  }
  return { kind: 'StreamCalc', input, projections, condition, schema, changelog: input.changelog };
}

function sameTypes(a: Schema, b: Schema): boolean {
  return a.fields.every(
    (f, i) =>
      formatType(f.type) === formatType(b.field(i).type) &&
      (f.type as { timeAttribute?: unknown }).timeAttribute ===
        (b.field(i).type as { timeAttribute?: unknown }).timeAttribute,
  );
}

function and(a: Rex, b: Rex): Rex {
  return Rex.call('AND', [a, b], Types.BOOLEAN(a.type.nullable || b.type.nullable));
}

// ---- joins ----------------------------------------------------------------------------------------------------

interface JoinAnalysis {
  readonly leftKeys: number[];
  readonly rightKeys: number[];
  readonly rest: Rex[];
}

/** Splits an ON condition into key equalities (left column = right column) and the rest. */
function analyzeJoin(condition: Rex, leftSize: number): JoinAnalysis {
  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const rest: Rex[] = [];
  for (const c of conjuncts(condition)) {
    if (c.kind === 'call' && c.op === 'EQUALS') {
      const [a, b] = c.args as [Rex, Rex];
      const col = (r: Rex): number | null =>
        r.kind === 'input'
          ? r.index
          : r.kind === 'cast' && r.operand.kind === 'input'
            ? r.operand.index
            : null;
      const ia = col(a);
      const ib = col(b);
      if (ia !== null && ib !== null && ia < leftSize !== ib < leftSize && sameKeyType(a, b)) {
        leftKeys.push(Math.min(ia, ib));
        rightKeys.push(Math.max(ia, ib) - leftSize);
        continue;
      }
    }
    if (!(c.kind === 'literal' && c.value === true)) rest.push(c);
  }
  return { leftKeys, rightKeys, rest };
}

/** Key columns compare by their values, so both sides must hold the same type (casts would change the values). */
function sameKeyType(a: Rex, b: Rex): boolean {
  const base = (r: Rex): Rex => (r.kind === 'cast' ? r.operand : r);
  const t = (r: Rex): string => formatType(withNullability(withoutTimeAttribute(base(r).type), true));
  return t(a) === t(b);
}

function join(p: Extract<LogicalPlan, { kind: 'join' }>, ctx: PlanningContext): PhysicalNode {
  if (p.temporal?.lookup === true) return lookupJoin(p, ctx);
  const left = translate(p.left, ctx);
  const right = translate(p.right, ctx);
  const leftSize = p.left.schema.size;
  const a = analyzeJoin(p.condition, leftSize);
  const rest = a.rest.length === 0 ? null : a.rest.reduce((x, y) => and(x, y));

  if (p.temporal !== undefined) {
    const pk = primaryKeyColumns(p.right);
    if (pk === null || !pk.every((c) => a.rightKeys.includes(c))) {
      fail(ctx, `Temporal Table Join requires an equality condition on the versioned table's primary key (${pk === null ? 'unknown' : pk.map((c) => p.right.schema.field(c).name).join(', ')})`);
    }
    requireInsertOnly(ctx, left, 'StreamTemporalJoin (its left input)');
    return {
      kind: 'StreamTemporalJoin',
      left: byKeys(left, a.leftKeys),
      right: byKeys(right, a.rightKeys),
      joinType: p.joinType as 'INNER' | 'LEFT',
      leftKeys: a.leftKeys,
      rightKeys: a.rightKeys,
      nonEqui: rest,
      leftTime: p.temporal.leftTime,
      rightTime: p.temporal.rightTime,
      schema: p.schema,
      changelog: INSERT_ONLY,
    };
  }

  // Window join: both sides are window TVF outputs joined on window_start and window_end.
  const wl = windowColumns(p.left);
  const wr = windowColumns(p.right);
  if (wl !== null && wr !== null) {
    const pairs = a.leftKeys.map((l, i) => [l, a.rightKeys[i] as number] as const);
    const hasStart = pairs.some(([l, r]) => l === wl.start && r === wr.start);
    const hasEnd = pairs.some(([l, r]) => l === wl.end && r === wr.end);
    if (hasStart && hasEnd && isInsertOnly(left.changelog) && isInsertOnly(right.changelog)) {
      const kept = pairs.filter(
        ([l, r]) => !(l === wl.start && r === wr.start) && !(l === wl.end && r === wr.end),
      );
      const leftKeys = kept.map(([l]) => l);
      const rightKeys = kept.map(([, r]) => r);
      return {
        kind: 'StreamWindowJoin',
        // Rows meet by key and window: the window end spreads the windows over subtasks even without keys.
        left: byKeys(left, [...leftKeys, wl.end]),
        right: byKeys(right, [...rightKeys, wr.end]),
        joinType: p.joinType,
        leftKeys,
        rightKeys,
        nonEqui: rest,
        leftWindowEnd: wl.end,
        rightWindowEnd: wr.end,
        schema: p.schema,
        changelog: INSERT_ONLY,
      };
    }
  }

  // Interval join: the condition bounds leftTime - rightTime on both sides, over two rowtime attributes.
  const bounds = intervalBounds(a.rest, p.left.schema, p.right.schema);
  if (
    bounds !== null &&
    p.joinType !== 'SEMI' &&
    p.joinType !== 'ANTI' &&
    isInsertOnly(left.changelog) &&
    isInsertOnly(right.changelog)
  ) {
    const others = a.rest.filter((c) => !bounds.used.includes(c));
    return {
      kind: 'StreamIntervalJoin',
      left: byKeys(left, a.leftKeys),
      right: byKeys(right, a.rightKeys),
      joinType: p.joinType,
      leftKeys: a.leftKeys,
      rightKeys: a.rightKeys,
      nonEqui: others.length === 0 ? null : others.reduce((x, y) => and(x, y)),
      leftTime: bounds.leftTime,
      rightTime: bounds.rightTime,
      lowerBound: bounds.lower,
      upperBound: bounds.upper,
      schema: p.schema,
      changelog: INSERT_ONLY,
    };
  }

  const insertOnly =
    (p.joinType === 'INNER' || p.joinType === 'SEMI') &&
    isInsertOnly(left.changelog) &&
    isInsertOnly(right.changelog);
  return {
    kind: 'StreamJoin',
    left: byKeys(left, a.leftKeys),
    right: byKeys(right, a.rightKeys),
    joinType: p.joinType as JoinKind,
    leftKeys: a.leftKeys,
    rightKeys: a.rightKeys,
    nonEqui: rest,
    schema: p.schema,
    changelog: insertOnly ? INSERT_ONLY : RETRACT,
  };
}

/**
 * A lookup join (`FOR SYSTEM_TIME AS OF left.proctime`): the right side is the table itself, read by the operator;
 * every `leftExpr = table.column` conjunct is a lookup key (Flink's CommonPhysicalLookupJoin takes the same
 * equalities, computing a left expression before the lookup). The rows keep their subtask (no exchange) and
 * their row kinds, as Flink's lookup join passes them through.
 */
function lookupJoin(p: Extract<LogicalPlan, { kind: 'join' }>, ctx: PlanningContext): PhysicalNode {
  let r = p.right;
  while (r.kind === 'watermarkAssigner' || (r.kind === 'project' && r.exprs.every((e, i) => e.kind === 'input' && e.index === i))) r = r.input;
  // A scan narrowed by push-down would not hold the rows the connector's lookups return.
  const pushed = r as { readonly projection?: unknown; readonly filters?: unknown };
  if (r.kind !== 'scan' || pushed.projection !== undefined || pushed.filters !== undefined) {
    unsupported(ctx, 'a lookup join whose right side is not a plain table (join the table itself: JOIN t FOR SYSTEM_TIME AS OF ...)');
  }
  const table = r.table;
  const input = translate(p.left, ctx);
  const leftSize = p.left.schema.size;
  const leftKeys: Rex[] = [];
  const lookupKeys: number[] = [];
  const rest: Rex[] = [];
  for (const c of conjuncts(p.condition)) {
    if (c.kind === 'call' && c.op === 'EQUALS') {
      const [a, b] = c.args as [Rex, Rex];
      const col = (x: Rex): number | null => (x.kind === 'input' && x.index >= leftSize ? x.index - leftSize : x.kind === 'cast' && x.operand.kind === 'input' && x.operand.index >= leftSize ? x.operand.index - leftSize : null);
      const leftOnly = (x: Rex): boolean => [...inputsOf(x)].every((i) => i < leftSize) && isDeterministic(x);
      const pair = col(b) !== null && leftOnly(a) ? ([a, col(b) as number] as const) : col(a) !== null && leftOnly(b) ? ([b, col(a) as number] as const) : null;
      if (pair !== null && !lookupKeys.includes(pair[1])) {
        const want = r.schema.field(pair[1]).type;
        // Keys compare by value: the left expression takes the looked-up column's type (INT vs BIGINT agree anyway).
        const same = formatType(withNullability(withoutTimeAttribute(pair[0].type), true)) === formatType(withNullability(withoutTimeAttribute(want), true));
        leftKeys.push(same ? pair[0] : Rex.cast(pair[0], withNullability(want, pair[0].type.nullable)));
        lookupKeys.push(pair[1]);
        continue;
      }
    }
    if (!(c.kind === 'literal' && c.value === true)) rest.push(c);
  }
  if (lookupKeys.length === 0) {
    fail(ctx, `Temporal table join requires an equality condition on fields of table [${formatPath(table.path)}] (a lookup join reads the table by key)`);
  }
  return {
    kind: 'StreamLookupJoin',
    input,
    table,
    lookupSchema: r.schema,
    joinType: p.joinType as 'INNER' | 'LEFT',
    leftKeys,
    lookupKeys,
    nonEqui: rest.length === 0 ? null : rest.reduce((x, y) => and(x, y)),
    schema: p.schema,
    changelog: input.changelog,
  };
}

function windowColumns(p: LogicalPlan): { start: number; end: number } | null {
  return windowProperties(p);
}

/** The primary key columns of a scanned table, followed through the scan's projection and watermark assigner. */
function primaryKeyColumns(p: LogicalPlan): number[] | null {
  switch (p.kind) {
    case 'scan':
      return p.table.primaryKey === null ? null : p.table.primaryKey.map((k) => p.schema.indexOf(k));
    case 'watermarkAssigner':
    case 'filter':
      return primaryKeyColumns(p.input);
    case 'project': {
      const below = primaryKeyColumns(p.input);
      if (below === null) return null;
      const at = below.map((c) => p.exprs.findIndex((e) => e.kind === 'input' && e.index === c));
      return at.every((i) => i >= 0) ? at : null;
    }
    default:
      return null;
  }
}

function isRowtime(s: Schema, i: number): boolean {
  const t = s.field(i).type;
  return (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && t.timeAttribute === 'rowtime';
}

/**
 * Finds `l.t >= r.t - X` / `l.t <= r.t + Y` / `l.t BETWEEN r.t - X AND r.t + Y` (and the mirrored forms) over
 * rowtime attributes of both sides: the bounds of an interval join as lowerBound <= l.t - r.t <= upperBound.
 */
function intervalBounds(
  rest: readonly Rex[],
  ls: Schema,
  rs: Schema,
): { leftTime: number; rightTime: number; lower: number; upper: number; used: Rex[] } | null {
  const n = ls.size;
  let lower = -Infinity;
  let upper = Infinity;
  let leftTime = -1;
  let rightTime = -1;
  const used: Rex[] = [];
  /** `col ± interval` → [col, offset ms]. */
  const timeTerm = (r: Rex): [number, number] | null => {
    if (r.kind === 'input') return [r.index, 0];
    if (r.kind === 'call' && (r.op === 'PLUS' || r.op === 'MINUS')) {
      const [x, y] = r.args as [Rex, Rex];
      if (
        x.kind === 'input' &&
        y.kind === 'literal' &&
        y.type.kind === 'INTERVAL' &&
        y.type.family === 'DAY_TIME' &&
        typeof y.value === 'number'
      ) {
        return [x.index, r.op === 'PLUS' ? y.value : -y.value];
      }
    }
    return null;
  };
  for (const c of rest) {
    if (
      c.kind !== 'call' ||
      !['LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL'].includes(c.op)
    )
      continue;
    const a = timeTerm(c.args[0] as Rex);
    const b = timeTerm(c.args[1] as Rex);
    if (a === null || b === null) continue;
    // Normalise to (left term) op (right term).
    let [l, r] = [a, b];
    let op = c.op;
    if (a[0] >= n && b[0] < n) {
      [l, r] = [b, a];
      op = (
        {
          LESS_THAN: 'GREATER_THAN',
          LESS_THAN_OR_EQUAL: 'GREATER_THAN_OR_EQUAL',
          GREATER_THAN: 'LESS_THAN',
          GREATER_THAN_OR_EQUAL: 'LESS_THAN_OR_EQUAL',
        } as const
      )[op as 'LESS_THAN'];
    } else if (!(a[0] < n && b[0] >= n)) continue;
    const lt = l[0];
    const rt = r[0] - n;
    if (!isRowtime(ls, lt) || !isRowtime(rs, rt)) continue;
    if ((leftTime >= 0 && leftTime !== lt) || (rightTime >= 0 && rightTime !== rt)) continue;
    leftTime = lt;
    rightTime = rt;
    // l.t + lo (op) r.t + ro  ⇔  l.t - r.t (op) ro - lo
    const bound = r[1] - l[1];
    const strict = op === 'LESS_THAN' || op === 'GREATER_THAN' ? 1 : 0;
    if (op === 'LESS_THAN' || op === 'LESS_THAN_OR_EQUAL') upper = Math.min(upper, bound - strict);
    else lower = Math.max(lower, bound + strict);
    used.push(c);
  }
  if (leftTime < 0 || lower === -Infinity || upper === Infinity) return null;
  return { leftTime, rightTime, lower, upper, used };
}

// ---- ORDER BY / LIMIT -------------------------------------------------------------------------------------------

function sort(p: Extract<LogicalPlan, { kind: 'sort' }>, ctx: PlanningContext): PhysicalNode {
  const input = translate(p.input, ctx);
  const single = exchange(input, { kind: 'single' });
  if (p.keys.length === 0) {
    requireInsertOnly(ctx, input, 'StreamLimit');
    return {
      kind: 'StreamLimit',
      input: single,
      offset: p.offset,
      fetch: p.fetch ?? Infinity,
      schema: p.schema,
      changelog: INSERT_ONLY,
    };
  }
  const first = p.keys[0] as (typeof p.keys)[number];
  if (p.fetch === null) {
    if (!isRowtime(p.input.schema, first.col) || first.descending) {
      fail(
        ctx,
        `Sort on a non-time-attribute field is not supported: ORDER BY must start with a rowtime attribute, ascending (or add a LIMIT for a Top-N)`,
      );
    }
    requireInsertOnly(ctx, input, 'StreamTemporalSort');
    return {
      kind: 'StreamTemporalSort',
      input: single,
      timeCol: first.col,
      secondary: p.keys.slice(1),
      schema: p.schema,
      changelog: INSERT_ONLY,
    };
  }
  return {
    kind: 'StreamSortLimit',
    input: single,
    keys: p.keys,
    offset: p.offset,
    fetch: p.fetch,
    schema: p.schema,
    changelog: RETRACT,
  };
}
