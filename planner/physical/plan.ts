// The physical streaming plan: nodes named after what runs (Flink's StreamPhysical* / StreamExec* names), each
// with the changelog it produces, exchanges made explicit. Lowering turns each node into one runtime operator
// (or a source/sink), so EXPLAIN shows exactly what will run.
import type { Schema } from '../../executor/index.js';
import type { CatalogTable } from '../catalog/catalog.js';
import type { SourcePredicate } from '../catalog/factory.js';
import type { Rex } from '../expr/rex.js';
import type { ScanWatermark } from '../logical/plan.js';
import type { MatchSpec } from '../logical/match.js';
import type {
  AggregateCall,
  CorrelateFunction,
  JoinKind,
  OverCall,
  OverFrame,
  RankType,
  SortKey,
  WindowSpec,
} from '../logical/plan.js';

/** Which row kinds a node's output can contain (Flink's ChangelogMode). */
export interface ChangelogMode {
  readonly insert: boolean;
  readonly updateBefore: boolean;
  readonly updateAfter: boolean;
  readonly delete: boolean;
}

export const INSERT_ONLY: ChangelogMode = {
  insert: true,
  updateBefore: false,
  updateAfter: false,
  delete: false,
};
export const RETRACT: ChangelogMode = { insert: true, updateBefore: true, updateAfter: true, delete: true };
export const UPSERT: ChangelogMode = { insert: true, updateBefore: false, updateAfter: true, delete: true };

export function isInsertOnly(m: ChangelogMode): boolean {
  return !m.updateBefore && !m.updateAfter && !m.delete;
}

export function unionModes(ms: readonly ChangelogMode[]): ChangelogMode {
  return {
    insert: ms.some((m) => m.insert),
    updateBefore: ms.some((m) => m.updateBefore),
    updateAfter: ms.some((m) => m.updateAfter),
    delete: ms.some((m) => m.delete),
  };
}

/** `I,UB,UA,D` as Flink's EXPLAIN CHANGELOG_MODE prints it. */
export function formatMode(m: ChangelogMode): string {
  return [m.insert ? 'I' : '', m.updateBefore ? 'UB' : '', m.updateAfter ? 'UA' : '', m.delete ? 'D' : '']
    .filter((x) => x !== '')
    .join(',');
}

/** table.exec.mini-batch.allow-latency (ms) and .size. */
export interface MiniBatch {
  readonly intervalMs: number;
  readonly size: number;
}

/** Where an exchange sends rows: by the hash of key columns, or all to one subtask. */
export type Distribution =
  { readonly kind: 'hash'; readonly keys: readonly number[] } | { readonly kind: 'single' };

interface Common {
  readonly schema: Schema;
  readonly changelog: ChangelogMode;
  /** Where the node's SQL came from, for error messages ("the GROUP BY at 3:8"). */
  readonly origin?: string;
}

export type PhysicalNode =
  | (Common & {
      readonly kind: 'StreamTableSourceScan';
      readonly table: CatalogTable;
      /** Pushed-down projection (physical column positions) and filters, as on the logical scan. */
      readonly projection?: readonly number[];
      readonly filters?: readonly SourcePredicate[];
      /** The watermark generated inside the source, per split (watermark push-down). */
      readonly watermark?: ScanWatermark;
    })
  | (Common & { readonly kind: 'StreamValues'; readonly rows: readonly (readonly Rex[])[] })
  | (Common & {
      readonly kind: 'StreamCalc';
      readonly input: PhysicalNode;
      readonly projections: readonly Rex[];
      readonly condition: Rex | null;
    })
  | (Common & {
      readonly kind: 'StreamWatermarkAssigner';
      readonly input: PhysicalNode;
      readonly rowtime: number;
      readonly expr: Rex;
    })
  | (Common & {
      readonly kind: 'StreamExchange';
      readonly input: PhysicalNode;
      readonly distribution: Distribution;
    })
  | (Common & {
      readonly kind: 'StreamGroupAggregate';
      readonly input: PhysicalNode;
      readonly groupKeys: readonly number[];
      readonly aggCalls: readonly AggregateCall[];
      /** Mini-batch: buffer this many rows or this long, then fold the bundle per key (Flink's MiniBatchGroupAggFunction). */
      readonly miniBatch?: MiniBatch;
    })
  /**
   * Turns an upsert changelog (+I/+U/-D by key, as an upsert-kafka topic holds it) into a retract changelog by
   * keeping the last row per key: the first value is +I, a new value -U(old) +U(new), a delete -D(old).
   */
  | (Common & { readonly kind: 'StreamChangelogNormalize'; readonly input: PhysicalNode; readonly keys: readonly number[] })
  /** Two-phase aggregation, local phase: one partial accumulator row per key and batch (keys ++ $partial). */
  | (Common & { readonly kind: 'StreamLocalGroupAggregate'; readonly input: PhysicalNode; readonly groupKeys: readonly number[]; readonly aggCalls: readonly AggregateCall[]; readonly miniBatch?: MiniBatch })
  /** Two-phase aggregation, global phase: merges the partials by key; `localInput` is what the calls refer to. */
  | (Common & {
      readonly kind: 'StreamGlobalGroupAggregate';
      readonly input: PhysicalNode;
      readonly localInput: Schema;
      readonly groupKeys: readonly number[];
      readonly aggCalls: readonly AggregateCall[];
      readonly miniBatch?: MiniBatch;
    })
  | (Common & {
      readonly kind: 'StreamWindowAggregate';
      readonly input: PhysicalNode;
      readonly groupKeys: readonly number[];
      readonly aggCalls: readonly AggregateCall[];
      readonly window: WindowSpec;
      readonly timeCol: number;
    })
  | (Common & {
      readonly kind: 'StreamWindowTableFunction';
      readonly input: PhysicalNode;
      readonly window: WindowSpec;
      readonly timeCol: number;
      readonly partitionKeys: readonly number[];
    })
  | (Common & {
      readonly kind: 'StreamJoin';
      readonly left: PhysicalNode;
      readonly right: PhysicalNode;
      readonly joinType: JoinKind;
      readonly leftKeys: readonly number[];
      readonly rightKeys: readonly number[];
      /** The part of the ON condition that is not key equality, over left ++ right. */
      readonly nonEqui: Rex | null;
    })
  | (Common & {
      readonly kind: 'StreamIntervalJoin';
      readonly left: PhysicalNode;
      readonly right: PhysicalNode;
      readonly joinType: JoinKind;
      readonly leftKeys: readonly number[];
      readonly rightKeys: readonly number[];
      readonly nonEqui: Rex | null;
      readonly leftTime: number;
      readonly rightTime: number;
      /** lowerBound <= leftTime - rightTime <= upperBound (ms). */
      readonly lowerBound: number;
      readonly upperBound: number;
    })
  | (Common & {
      readonly kind: 'StreamWindowJoin';
      readonly left: PhysicalNode;
      readonly right: PhysicalNode;
      readonly joinType: JoinKind;
      readonly leftKeys: readonly number[];
      readonly rightKeys: readonly number[];
      readonly nonEqui: Rex | null;
      readonly leftWindowEnd: number;
      readonly rightWindowEnd: number;
    })
  | (Common & {
      readonly kind: 'StreamTemporalJoin';
      readonly left: PhysicalNode;
      readonly right: PhysicalNode;
      readonly joinType: 'INNER' | 'LEFT';
      readonly leftKeys: readonly number[];
      readonly rightKeys: readonly number[];
      readonly nonEqui: Rex | null;
      readonly leftTime: number;
      readonly rightTime: number;
    })
  /**
   * A lookup join: each input row reads `table` by key at processing time (Flink's StreamPhysicalLookupJoin). The
   * left keys are expressions over the input (`MOD(auction, 10000)`), compared with the table's `lookupKeys`;
   * `nonEqui` is over input ++ table columns.
   */
  | (Common & {
      readonly kind: 'StreamLookupJoin';
      readonly input: PhysicalNode;
      readonly table: CatalogTable;
      readonly lookupSchema: Schema;
      readonly joinType: 'INNER' | 'LEFT';
      readonly leftKeys: readonly Rex[];
      readonly lookupKeys: readonly number[];
      readonly nonEqui: Rex | null;
    })
  /** MATCH_RECOGNIZE (Flink's StreamPhysicalMatch): the NFA per partition, rows fed in rowtime order. */
  | (Common & { readonly kind: 'StreamMatch'; readonly input: PhysicalNode; readonly spec: MatchSpec })
  /**
   * Flink's SinkUpsertMaterializer before a sink keyed by `keys` (its PRIMARY KEY) that the input's changelog is
   * not keyed by: keeps the live rows per sink key and writes the newest as an upsert (+I/+U/-D).
   */
  | (Common & { readonly kind: 'StreamSinkUpsertMaterializer'; readonly input: PhysicalNode; readonly keys: readonly number[] })
  | (Common & { readonly kind: 'StreamUnion'; readonly inputs: readonly PhysicalNode[] })
  /** LATERAL TABLE / UNNEST: input ++ the function's columns per input row; stateless, keeps the input's changelog. */
  | (Common & {
      readonly kind: 'StreamCorrelate';
      readonly input: PhysicalNode;
      readonly fn: CorrelateFunction;
      readonly args: readonly Rex[];
      readonly joinType: 'INNER' | 'LEFT';
    })
  | (Common & {
      readonly kind: 'StreamRank';
      readonly input: PhysicalNode;
      readonly partitionKeys: readonly number[];
      readonly orderKeys: readonly SortKey[];
      readonly rankType: RankType;
      readonly rankStart: number;
      readonly rankEnd: number;
      readonly outputRankNumber: boolean;
    })
  | (Common & {
      readonly kind: 'StreamWindowRank';
      readonly input: PhysicalNode;
      readonly partitionKeys: readonly number[];
      readonly orderKeys: readonly SortKey[];
      readonly rankType: RankType;
      readonly rankStart: number;
      readonly rankEnd: number;
      readonly outputRankNumber: boolean;
      readonly windowEnd: number;
    })
  | (Common & {
      readonly kind: 'StreamDeduplicate';
      readonly input: PhysicalNode;
      readonly keys: readonly number[];
      readonly keepLast: boolean;
      readonly timeCol: number;
      readonly isRowtime: boolean;
    })
  | (Common & {
      readonly kind: 'StreamWindowDeduplicate';
      readonly input: PhysicalNode;
      readonly keys: readonly number[];
      readonly keepLast: boolean;
      readonly timeCol: number;
      readonly windowEnd: number;
    })
  | (Common & {
      readonly kind: 'StreamLimit';
      readonly input: PhysicalNode;
      readonly offset: number;
      readonly fetch: number;
    })
  | (Common & {
      readonly kind: 'StreamSortLimit';
      readonly input: PhysicalNode;
      readonly keys: readonly SortKey[];
      readonly offset: number;
      readonly fetch: number;
    })
  | (Common & {
      readonly kind: 'StreamTemporalSort';
      readonly input: PhysicalNode;
      readonly timeCol: number;
      readonly secondary: readonly SortKey[];
    })
  | (Common & {
      readonly kind: 'StreamOverAggregate';
      readonly input: PhysicalNode;
      readonly partitionKeys: readonly number[];
      readonly timeCol: number;
      readonly frame: OverFrame;
      readonly calls: readonly OverCall[];
    })
  /**
   * Mini-batch (table.exec.mini-batch.enabled): marks where bundles start, as Flink's MiniBatchAssigner does. Rows
   * pass through unchanged; the group aggregates above, which carry `miniBatch`, buffer and fold each bundle.
   */
  | (Common & { readonly kind: 'StreamMiniBatchAssigner'; readonly input: PhysicalNode; readonly intervalMs: number })
  /** Batch mode: folds an updating input into its final table, emitted as inserts when the input ends. */
  | (Common & { readonly kind: 'BatchFinalTable'; readonly input: PhysicalNode })
  /** A query's result (collected by the client) or an INSERT's table. */
  | (Common & {
      readonly kind: 'StreamSink';
      readonly input: PhysicalNode;
      readonly table: CatalogTable | null;
    });

export type PhysicalKind = PhysicalNode['kind'];

export function physicalInputs(n: PhysicalNode): readonly PhysicalNode[] {
  switch (n.kind) {
    case 'StreamTableSourceScan':
    case 'StreamValues':
      return [];
    case 'StreamJoin':
    case 'StreamIntervalJoin':
    case 'StreamWindowJoin':
    case 'StreamTemporalJoin':
      return [n.left, n.right];
    case 'StreamUnion':
      return n.inputs;
    default:
      return [n.input];
  }
}
