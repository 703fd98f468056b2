// Runs a compiled, stateless batch function (projection + filter) on every batch; forwards watermarks.
import type { RecordBatch } from '../batch/batch.js';
import type { Schema } from '../types/schema.js';
import type { BatchFunction, Output, StreamOperator } from './operator.js';

export class CalcOperator implements StreamOperator {
  private output: Output | null = null;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly fn: BatchFunction,
  ) {}

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const out = this.fn(batch);
    if (out !== null && out.length > 0) (this.output as Output).emitBatch(out);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}
  close(): void {}
}
