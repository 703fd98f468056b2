// A Calc whose expressions read the operator's current watermark (CURRENT_WATERMARK), as Flink's generated
// StreamExecCalc reads ctx.timerService().currentWatermark(). The watermark lives in a one-element cell owned by
// this instance; the compiled function reads it per row, this operator writes it before forwarding a watermark.
// It is transient, as in Flink: after a restore the Calc sees NULL until the next watermark arrives.
import type { RecordBatch } from '../batch/batch.js';
import type { Schema } from '../types/schema.js';
import type { BatchFunction, Output, StreamOperator } from '../runtime/operator.js';

export class WatermarkCalcOperator implements StreamOperator {
  private output: Output | null = null;
  private readonly fn: BatchFunction;
  /** Element 0: the last watermark received, NaN before the first (NULL to CURRENT_WATERMARK). */
  private readonly watermark = new Float64Array([Number.NaN]);

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    bind: (watermark: Float64Array) => BatchFunction,
  ) {
    this.fn = bind(this.watermark);
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const out = this.fn(batch);
    if (out !== null && out.length > 0) (this.output as Output).emitBatch(out);
  }

  processWatermark(timestamp: number): void {
    this.watermark[0] = timestamp;
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}
  close(): void {}
}
