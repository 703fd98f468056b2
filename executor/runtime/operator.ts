// The operator contract of the runtime: what every stream operator, source and sink implements. An operator
// receives stream elements one at a time on its subtask's thread (no locks) and emits to an Output.
// Hooks mirror Flink's (and Arroyo's): process a batch, advance event time, snapshot on a barrier, finish.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import type { Schema } from '../types/schema.js';
import type { ProcessingTimeService } from './time.js';

/** Where an operator's results go: the next operator of the chain, a channel, or a sink. */
export interface Output {
  emitBatch(batch: RecordBatch): void;
  emitWatermark(timestamp: number): void;
  /** Rows for a side output (an OutputTag's id); dropped when nothing consumes that tag. */
  emitSideOutput(tag: string, batch: RecordBatch): void;
  /** The stream became idle (true) or active again (false); downstream leaves idle inputs out of its minimum. */
  emitWatermarkStatus(idle: boolean): void;
}

/** Counters an operator reports (Flink's metric group, reduced to what the runtime needs now). */
export interface OperatorMetrics {
  inc(name: string, by?: number): void;
  get(name: string): number;
}

/** What the subtask gives an operator before `open`: where it runs, its clock, its configuration. */
export interface OperatorContext {
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Number of key groups: the unit keyed state is partitioned (and later rescaled) by. */
  readonly maxParallelism: number;
  /** Processing time; callbacks scheduled here run in the subtask's mailbox, between elements. */
  readonly processingTime: ProcessingTimeService;
  readonly metrics: OperatorMetrics;
  /** pipeline.auto-watermark-interval in ms (0 = after every record). */
  readonly autoWatermarkInterval: number;
  /** Whether the job takes checkpoints (absent: no). Two-phase-commit sinks commit only on completed ones. */
  readonly checkpointingEnabled?: boolean;
  /**
   * After `finish` the subtask takes part in one more checkpoint and ends once it completed (Flink's
   * checkpoints-after-tasks-finish, FLIP-147): a two-phase sink leaves its last transaction to that checkpoint.
   */
  readonly finalCheckpoint?: boolean;
}

export interface StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  /** Called once before `open` when the operator runs in a subtask (optional for operators that need no context). */
  setup?(ctx: OperatorContext): void;
  open(output: Output): void;
  /** `input` is 0 for one-input operators and 0 or 1 for two-input (connected) operators. */
  processBatch(batch: RecordBatch, input?: number): void;
  /** Event time reached `timestamp` on this input; operators forward it after firing what it completes. */
  processWatermark(timestamp: number): void;
  /** All inputs idle (true) or one active again (false). Operators without the hook forward it unchanged. */
  processWatermarkStatus?(idle: boolean): void;
  /** Operator state that a checkpoint must keep (keyed state, timers, buffers); transient fields stay out. */
  snapshotState?(checkpointId?: number): Uint8Array;
  restoreState?(bytes: Uint8Array): void;
  /**
   * Before the barrier goes on (Flink's prepareSnapshotPreBarrier): a promise makes the subtask wait, taking no
   * input, until it settles, e.g. a sink flushing what it sent so that the checkpoint covers it.
   */
  prepareSnapshotPreBarrier?(checkpointId: number): Promise<void> | null;
  /** Checkpoint `checkpointId` is durable everywhere (Flink's CheckpointListener): two-phase sinks commit now. */
  notifyCheckpointComplete?(checkpointId: number): void;
  /**
   * A promise while the operator cannot take more input (an asynchronous sink still writing); the subtask waits
   * on it before the next element, which is how a slow sink pushes back on its producers.
   */
  pendingWork?(): Promise<void> | null;
  /** The input ended: emit whatever is pending. The maximal watermark has already been processed. */
  finish(): void;
  close(): void;
}

/** A stateless batch-to-batch function, e.g. a compiled projection and filter (Calc). */
export type BatchFunction = (batch: RecordBatch) => RecordBatch | null;

/**
 * A source reader: yields stream elements until its input ends (bounded) or it is cancelled (unbounded).
 * Bounded readers end with `{kind:'end'}` after the data; the runner then emits the maximal watermark.
 */
export interface SourceReader {
  readonly outputSchema: Schema;
  read(signal: AbortSignal): AsyncIterable<StreamElement>;
  /**
   * The read position as of the last element yielded (a checkpoint's source state). Readers update it in the
   * same synchronous step as the yield, so a snapshot taken between two elements is exact.
   */
  snapshotState?(): Uint8Array;
  /** Called before `read` when the job restarts from a checkpoint. */
  restoreState?(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** What a sink writer learns when its subtask starts (Flink's Sink InitContext / WriterInitContext). */
export interface SinkInitContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The checkpoint this attempt restores (Flink's getRestoredCheckpointId), or null on a fresh start. */
  readonly restoredCheckpointId: number | null;
  readonly checkpointingEnabled: boolean;
}

/** The end of a pipeline: consumes batches (as a changelog) and watermarks. */
export interface SinkWriter {
  /**
   * Called once before the first write (and before restored committables are committed); a transactional writer
   * aborts lingering transactions of earlier attempts here. Writes wait for the returned promise.
   */
  initialize?(ctx: SinkInitContext): void | Promise<void>;
  write(batch: RecordBatch): void | Promise<void>;
  writeWatermark?(timestamp: number): void;
  /** Waits until everything written so far is acknowledged by the external system (the at-least-once point). */
  flush?(): Promise<void>;
  /**
   * Two-phase commit, first phase (Flink's TwoPhaseCommittingSink.prepareCommit), on a checkpoint barrier after
   * every earlier write settled: seal what was written since the last barrier (a transaction) and return what
   * the committer needs to commit it later, or null when nothing was written. Later writes go to a new one.
   */
  prepareCommit?(checkpointId: number): Uint8Array | null;
  /**
   * Second phase: make sealed transactions visible. Called once their checkpoint is complete, and again after a
   * restore for the ones the checkpoint holds, so it must be idempotent (committing twice commits once).
   */
  commit?(committables: readonly Uint8Array[]): Promise<void>;
  /** Input ended normally. */
  finish(): void | Promise<void>;
  close(): Promise<void>;
}
