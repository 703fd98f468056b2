// Folds a changelog into its final table and emits that table once, as inserts, when the input ends: what a
// batch job's sink sees (Flink's batch operators produce final results only). +I/+U add a row, -U/-D remove an
// equal one; a retraction of a row that is not there is a bug upstream and fails the job with the row.
import { batchFromRows, type RecordBatch } from '../batch/batch.js';
import { getValue, type Value } from '../batch/column.js';
import type { Output, StreamOperator } from '../runtime/operator.js';
import { isAccumulate } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { keyOfValues } from './keys.js';
import type { Key } from '../runtime/key.js';

export class FinalTableOperator implements StreamOperator {
  private output: Output | null = null;
  /** Row identity → the row and how many copies of it the table holds (insertion order kept by the Map). */
  private readonly rows = new Map<Key, { row: Value[]; count: number }>();

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
  ) {}

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const fields = batch.schema.fields;
    for (let r = 0; r < batch.length; r++) {
      const row = batch.columns.map((c, i) => getValue(c, (fields[i] as (typeof fields)[number]).type, r));
      const key = keyOfValues(row);
      const slot = this.rows.get(key);
      if (isAccumulate(batch.kinds[r] as number)) {
        if (slot === undefined) this.rows.set(key, { row, count: 1 });
        else slot.count++;
      } else {
        if (slot === undefined) throw new Error(`${this.name}: retraction of a row that is not in the table: ${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))}`);
        if (--slot.count === 0) this.rows.delete(key);
      }
    }
  }

  processWatermark(): void {
    // The final table has no event time left to report.
  }

  finish(): void {
    const out: Value[][] = [];
    for (const { row, count } of this.rows.values()) for (let i = 0; i < count; i++) out.push(row);
    if (out.length > 0) (this.output as Output).emitBatch(batchFromRows(this.outputSchema, out));
    this.rows.clear();
  }

  close(): void {}
}
