// Generates watermarks from the data, as Flink's table WatermarkAssignerOperator: the current watermark is the
// largest value of the watermark expression seen so far; it goes out when a processing-time timer fires every
// pipeline.auto-watermark-interval ms and, eagerly, as soon as it is more than that interval ahead of the last
// one emitted (Flink's guard for timers starved by a busy task). With interval 0 it goes out whenever it grows
// (Flink: per record; here per batch, the unit the operator sees).
import type { RecordBatch } from '../batch/batch.js';
import { isValid } from '../batch/validity.js';
import type { Schema } from '../types/schema.js';
import type { Cancellable } from './time.js';
import type { BatchFunction, OperatorContext, Output, StreamOperator } from './operator.js';

export class WatermarkAssignerOperator implements StreamOperator {
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  /** The largest candidate seen (Flink's currentWatermark). */
  private current = Number.NEGATIVE_INFINITY;
  /** The last watermark emitted (Flink's lastWatermark). */
  private last = Number.NEGATIVE_INFINITY;
  private timer: Cancellable | null = null;

  /**
   * `extract` computes a one-column batch (epoch ms as f64) of watermark candidates for the input batch;
   * `intervalMs` is pipeline.auto-watermark-interval (0 = emit whenever the watermark grows).
   */
  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly extract: BatchFunction,
    private readonly intervalMs = 0,
  ) {
    if (!(intervalMs >= 0))
      throw new Error(`'pipeline.auto-watermark-interval' must not be negative, got ${intervalMs} ms`);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    if (this.intervalMs > 0 && this.ctx !== null) this.schedule();
  }

  private schedule(): void {
    const clock = (this.ctx as OperatorContext).processingTime;
    this.timer = clock.schedule(clock.now() + this.intervalMs, () => {
      this.advance();
      this.schedule();
    });
  }

  private advance(): void {
    if (this.current > this.last) {
      this.last = this.current;
      (this.output as Output).emitWatermark(this.current);
    }
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
    this.current = max;
    // Flink: `if (currentWatermark - lastWatermark > watermarkInterval) advanceWatermark()`; with no timer (no
    // context, as in a bare harness) every growth goes out.
    if (this.current - this.last > this.intervalMs || this.timer === null) this.advance();
  }

  processWatermark(timestamp: number): void {
    // Upstream watermarks are replaced by the ones generated here, except the final one that ends the input.
    if (timestamp === Number.MAX_SAFE_INTEGER && timestamp > this.last) {
      this.current = timestamp;
      this.last = timestamp;
      (this.output as Output).emitWatermark(timestamp);
    }
  }

  finish(): void {
    // Flink's finish() emits nothing of its own but MAX; the watermark held back by the interval must not be lost
    // for a bounded input that ends without the final watermark reaching this operator.
    this.advance();
    this.timer?.cancel();
    this.timer = null;
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
