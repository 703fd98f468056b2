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

/**
 * The continuous result table of a query (the SQL client's table mode, Flink's MaterializedCollectStreamResult):
 * the changelog applied by row identity — +I/+U add a row, -U/-D remove the newest equal row — with a row cap,
 * `sql-client.execution.max-table-result.rows`: beyond it the oldest rows are dropped so that the view keeps the
 * newest ones, and `overflowMessage` says so once (a retraction of a dropped row is then ignored, as it must be).
 * Rows keep their arrival order; slots of removed rows are compacted away once they are half of the array.
 */
export class MaterializedTable {
  private slots: Array<Value[] | null> = [];
  private index = new Map<Key, number[]>();
  private live = 0;
  /** Slots before `head` are all removed (the oldest live row is at or after it). */
  private head = 0;
  private dropped = 0;
  private warned = false;

  /** `maxRows` 0 or less: no cap (Flink's default for the key is 1,000,000). */
  constructor(readonly maxRows = 1_000_000) {}

  /** Applies one change; returns the overflow message the first time rows are dropped, else null. */
  apply(accumulate: boolean, row: Value[]): string | null {
    const key = keyOfValues(row);
    if (accumulate) {
      const at = this.index.get(key);
      if (at === undefined) this.index.set(key, [this.slots.length]);
      else at.push(this.slots.length);
      this.slots.push(row);
      this.live++;
      if (this.maxRows > 0 && this.live > this.maxRows) return this.evictOldest();
      return null;
    }
    const at = this.index.get(key);
    const slot = at?.pop();
    if (slot === undefined) {
      if (this.dropped > 0) return null;
      throw new Error(`retraction of a row that is not in the result: ${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))}`);
    }
    if ((at as number[]).length === 0) this.index.delete(key);
    this.slots[slot] = null;
    this.live--;
    this.compact();
    return null;
  }

  private evictOldest(): string | null {
    while (this.slots[this.head] === null) this.head++;
    const row = this.slots[this.head] as Value[];
    const key = keyOfValues(row);
    const at = this.index.get(key) as number[];
    // Positions of one key are in arrival order: the oldest is first.
    at.shift();
    if (at.length === 0) this.index.delete(key);
    this.slots[this.head++] = null;
    this.live--;
    this.dropped++;
    this.compact();
    if (this.warned) return null;
    this.warned = true;
    return `The result has more rows than 'sql-client.execution.max-table-result.rows' = ${this.maxRows}: the oldest rows are dropped and only the newest ${this.maxRows} are shown.`;
  }

  private compact(): void {
    if (this.slots.length < 1024 || this.live * 2 > this.slots.length) return;
    const kept = this.slots.filter((r): r is Value[] => r !== null);
    this.slots = kept;
    this.head = 0;
    this.index = new Map();
    kept.forEach((r, i) => {
      const k = keyOfValues(r);
      const at = this.index.get(k);
      if (at === undefined) this.index.set(k, [i]);
      else at.push(i);
    });
  }

  get size(): number {
    return this.live;
  }

  /** Rows dropped for the cap so far. */
  get droppedRows(): number {
    return this.dropped;
  }

  /** The current rows in arrival order. */
  rows(): Value[][] {
    const out: Value[][] = [];
    for (let i = this.head; i < this.slots.length; i++) {
      const r = this.slots[i];
      if (r !== undefined && r !== null) out.push(r);
    }
    return out;
  }
}
