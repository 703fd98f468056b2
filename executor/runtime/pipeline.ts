// Runs one source → chain of operators → sink in the current thread: the single-subtask execution used until
// the slot-based executor spreads subtasks over workers. Bounded inputs end with the maximal watermark so that
// everything event time is waiting for fires, as in Flink.
import { MAX_WATERMARK, type RecordBatch } from '../batch/batch.js';
import type { Output, SinkWriter, SourceReader, StreamOperator } from './operator.js';

export interface PipelineSpec {
  readonly source: SourceReader;
  readonly operators: readonly StreamOperator[];
  readonly sink: SinkWriter;
}

/** Thrown when a pipeline is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor() {
    super('job cancelled');
    this.name = 'CancelledError';
  }
}

export async function runPipeline(spec: PipelineSpec, signal: AbortSignal): Promise<void> {
  const { source, operators, sink } = spec;
  // Sinks may be asynchronous; batches are queued and awaited in order so a slow sink slows the source.
  let pending: Promise<void> = Promise.resolve();
  let sinkError: unknown = null;
  const sinkOutput: Output = {
    emitBatch(batch: RecordBatch) {
      pending = pending.then(async () => {
        await sink.write(batch);
      });
      pending.catch((e: unknown) => {
        sinkError ??= e;
      });
    },
    emitWatermark(ts: number) {
      sink.writeWatermark?.(ts);
    },
    // The planner's pipelines have no side outputs and no idle sources yet.
    emitSideOutput() {},
    emitWatermarkStatus() {},
  };
  // Wire the chain back to front: each operator's output is the next operator's input.
  let next: Output = sinkOutput;
  for (let i = operators.length - 1; i >= 0; i--) {
    const op = operators[i] as StreamOperator;
    op.open(next);
    const downstream = op;
    const after = next;
    next = {
      emitBatch: (b) => downstream.processBatch(b),
      emitWatermark: (ts) => downstream.processWatermark(ts),
      emitSideOutput: () => {},
      emitWatermarkStatus: (idle) =>
        downstream.processWatermarkStatus !== undefined
          ? downstream.processWatermarkStatus(idle)
          : after.emitWatermarkStatus(idle),
    };
  }
  const head = next;
  let currentWatermark = Number.NEGATIVE_INFINITY;
  try {
    for await (const el of source.read(signal)) {
      if (signal.aborted) throw new CancelledError();
      switch (el.kind) {
        case 'batch':
          head.emitBatch(el.batch);
          break;
        case 'watermark':
          // Watermarks only move forward (Flink emits one only when it grows).
          if (el.timestamp > currentWatermark) {
            currentWatermark = el.timestamp;
            head.emitWatermark(el.timestamp);
          }
          break;
        case 'barrier':
        case 'idle':
          break;
        case 'end':
          break;
      }
      await pending;
      if (sinkError !== null) throw sinkError;
    }
    if (signal.aborted) throw new CancelledError();
    if (currentWatermark < MAX_WATERMARK) head.emitWatermark(MAX_WATERMARK);
    for (const op of operators) op.finish();
    await pending;
    if (sinkError !== null) throw sinkError;
    await sink.finish();
  } finally {
    for (const op of operators) op.close();
    await source.close();
    await sink.close();
  }
}
