// The SQL runtime operators (Flink's flink-table-runtime): what the planner's physical nodes lower onto. Each
// operator works on columnar batches with row kinds, keeps keyed state in Maps by `Key`, and copies the changelog
// Flink's operator of the same name produces (each file cites its Flink class).
export { EMPTY_KEY, columnsKeySelector, keyOfValues } from './keys.js';
export { createAggsHandle, type AggCall, type AggKind, type AggsHandle, type UserAggregate } from './aggregates.js';
export {
  GlobalGroupAggregateOperator,
  GroupAggregateOperator,
  LocalGroupAggregateOperator,
  partialAggregateSchema,
  supportsTwoPhase,
  type GroupAggregateConfig,
} from './group-aggregate.js';
export {
  WindowAggregateOperator,
  describeWindow,
  formatDuration,
  windowsOf,
  type WindowSpec,
} from './window-aggregate.js';
export { WindowTableFunctionOperator } from './window-table-function.js';
export type { JoinCondition, JoinType } from './join-common.js';
export { StreamingJoinOperator } from './join.js';
export { IntervalJoinOperator as SqlIntervalJoinOperator } from './interval-join.js';
export { WindowJoinOperator } from './window-join.js';
export { TemporalJoinOperator } from './temporal-join.js';
export { RankOperator, type RankType, type SortKey } from './rank.js';
export { DeduplicateOperator } from './deduplicate.js';
export { WindowDeduplicateOperator, WindowRankOperator } from './window-rank.js';
export { LimitOperator, TemporalSortOperator } from './sort-limit.js';
export { OverAggregateOperator, type OverFrame as OverFrameSpec } from './over-aggregate.js';
export { FinalTableOperator, MaterializedTable } from './materialize.js';
export { SinkUpsertMaterializer, type UpsertMaterializerConfig } from './upsert-materializer.js';
export {
  MatchRecognizeOperator,
  type AfterMatchSkip,
  type MatchConfig,
  type MatchDefine,
  type MatchSlot,
} from './match.js';
export { canBeEmpty, compileNfa, formatPattern, patternVariables, type MatchPattern } from './match-pattern.js';
export { LookupJoinOperator, type LookupJoinConfig } from './lookup-join.js';
export {
  LOOKUP_OPTION_SPECS,
  LookupTable,
  lookupCacheConfig,
  type LookupCacheConfig,
  type LookupReader,
} from './lookup-cache.js';
export { CorrelateOperator, type CorrelateConfig, type TableFunctionRuntime } from './correlate.js';
export { MiniBatchOperator, type MiniBatchOptions } from './mini-batch.js';
export { WatermarkCalcOperator } from './calc.js';
