// The user-function interfaces of the DataStream API (Flink's ProcessFunction family) and the contexts the
// runtime hands them. Functions are interfaces, not base classes: an object literal with the methods is enough.
import type { Value } from '../batch/column.js';
import type { Key } from '../runtime/key.js';
import type { KeyedStateStore } from '../state/state.js';
import type { Schema } from '../types/schema.js';
import type { Collector, Row } from './rows.js';

/** Names a side output and its row type (Flink's OutputTag). */
export class OutputTag {
  constructor(
    readonly id: string,
    readonly schema: Schema,
  ) {}
}

export interface RuntimeContext extends KeyedStateStore {
  readonly taskName: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
}

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export interface ProcessContext {
  /** The event timestamp of the current row (or of the firing event-time timer); null if it has none. */
  timestamp(): number | null;
  timerService(): TimerService;
  output(tag: OutputTag, row: Row): void;
}

export interface KeyedProcessContext extends ProcessContext {
  getCurrentKey(): Key;
}

export interface OnTimerContext extends KeyedProcessContext {
  timeDomain(): TimeDomain;
}

interface Lifecycle {
  open?(ctx: RuntimeContext): void;
  close?(): void;
}

export interface ProcessFunction extends Lifecycle {
  processElement(row: Row, ctx: ProcessContext, out: Collector): void;
}

export interface KeyedProcessFunction extends Lifecycle {
  processElement(row: Row, ctx: KeyedProcessContext, out: Collector): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector): void;
}

/** Two inputs, one operator: shared state and timers (Flink's KeyedCoProcessFunction when the inputs are keyed). */
export interface CoProcessFunction extends Lifecycle {
  processElement1(row: Row, ctx: KeyedProcessContext, out: Collector): void;
  processElement2(row: Row, ctx: KeyedProcessContext, out: Collector): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector): void;
}

export type MapFunction = (row: Row) => Row;
export type FlatMapFunction = (row: Row, out: Collector) => void;
export type FilterFunction = (row: Row) => boolean;
export type ReduceFunction = (a: Row, b: Row) => Row;
export type KeySelectorFunction = (row: Row) => Value;
