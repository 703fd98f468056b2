// The operator contract of the runtime: what every stream operator, source and sink implements. An operator
// receives stream elements one at a time on its subtask's thread (no locks) and emits to an Output.
// Hooks mirror Flink's (and Arroyo's): process a batch, advance event time, snapshot on a barrier, finish.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import type { Schema } from '../types/schema.js';

/** Where an operator's results go: the next operator of the chain, a channel, or a sink. */
export interface Output {
  emitBatch(batch: RecordBatch): void;
  emitWatermark(timestamp: number): void;
}

export interface StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  open(output: Output): void;
  processBatch(batch: RecordBatch): void;
  /** Event time reached `timestamp` on this input; operators forward it after firing what it completes. */
  processWatermark(timestamp: number): void;
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
  close(): Promise<void>;
}

/** The end of a pipeline: consumes batches (as a changelog) and watermarks. */
export interface SinkWriter {
  write(batch: RecordBatch): void | Promise<void>;
  writeWatermark?(timestamp: number): void;
  /** Input ended normally. */
  finish(): void | Promise<void>;
  close(): Promise<void>;
}
