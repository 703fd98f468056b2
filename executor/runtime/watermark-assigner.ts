// Generates watermarks from the data: the watermark is the largest value of the watermark expression seen so
// far, emitted after each batch and only when it grows (Flink with pipeline.auto-watermark-interval = 0, at
// batch granularity). Periodic emission arrives with the DataStream runtime.
import type { RecordBatch } from '../batch/batch.js';
import { isValid } from '../batch/validity.js';
import type { Schema } from '../types/schema.js';
import type { BatchFunction, Output, StreamOperator } from './operator.js';

export class WatermarkAssignerOperator implements StreamOperator {
  private output: Output | null = null;
  private current = Number.NEGATIVE_INFINITY;

  /** `extract` computes a one-column batch (epoch ms as f64) of watermark candidates for the input batch. */
  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly extract: BatchFunction,
  ) {}

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const out = this.output as Output;
    out.emitBatch(batch);
    const wm = this.extract(batch);
    if (wm === null || wm.length === 0) return;
    const col = wm.columns[0];
    if (col === undefined || (col.kind !== 'f64' && col.kind !== 'ts')) return;
    let max = this.current;
    const values = col.values;
    for (let i = 0; i < wm.length; i++) {
      const v = values[i] as number;
      if (v > max && isValid(col.validity, i)) max = v;
    }
    if (max > this.current) {
      this.current = max;
      out.emitWatermark(max);
    }
  }

  processWatermark(timestamp: number): void {
    // Upstream watermarks are replaced by the ones generated here, except the final one that ends the input.
    if (timestamp === Number.MAX_SAFE_INTEGER && timestamp > this.current) {
      this.current = timestamp;
      (this.output as Output).emitWatermark(timestamp);
    }
  }

  finish(): void {}
  close(): void {}
}
