// Rows for user functions. The runtime moves columnar batches; the DataStream API's per-row functions see each
// row as a plain array of values (column.ts `Value`), built from the columns for the call and appended back to
// column builders afterwards. That costs an array per row and a switch per cell: fine for user logic, not for
// the hot paths of SQL operators, which work on whole batches (see `DataStream.transform`/`mapBatch`).
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, type Value } from '../batch/column.js';
import { Types, type LogicalType } from '../types/logical-type.js';
import { RowKind } from '../types/row-kind.js';
import { Schema } from '../types/schema.js';

export type Row = Value[];

/** Receives the rows a function emits. */
export interface Collector {
  collect(row: Row): void;
}

/** Accumulates rows (with their event timestamps) into batches of a schema. */
export class RowBatchBuilder {
  private builders: ColumnBuilder[];
  private timestamps: number[] = [];
  private kinds: number[] = [];
  private anyTimestamp = false;
  private n = 0;

  constructor(readonly schema: Schema) {
    this.builders = schema.fields.map((f) => new ColumnBuilder(f.type, 64));
  }

  get length(): number {
    return this.n;
  }

  /** `timestamp` NaN = the row has none. */
  append(row: readonly Value[], timestamp = Number.NaN, kind: number = RowKind.INSERT): void {
    const bs = this.builders;
    if (row.length !== bs.length) {
      throw new TypeError(`row has ${row.length} fields but the stream's schema ${this.schema.toString()} has ${bs.length}`);
    }
    for (let i = 0; i < bs.length; i++) (bs[i] as ColumnBuilder).append(row[i] as Value);
    this.timestamps.push(timestamp);
    if (timestamp === timestamp) this.anyTimestamp = true;
    this.kinds.push(kind);
    this.n++;
  }

  /** The rows so far as one batch (null if none); the builder starts over. */
  build(): RecordBatch | null {
    if (this.n === 0) return null;
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      this.n,
      Uint8Array.from(this.kinds),
      this.anyTimestamp ? Float64Array.from(this.timestamps) : undefined,
    );
    this.builders = this.schema.fields.map((f) => new ColumnBuilder(f.type, 64));
    this.timestamps = [];
    this.kinds = [];
    this.anyTimestamp = false;
    this.n = 0;
    return batch;
  }
}

/** A schema for rows given as values: numbers are DOUBLE unless every one is a 32-bit integer (then INT). */
export function inferSchema(rows: readonly (readonly Value[])[], names?: readonly string[]): Schema {
  const first = rows[0];
  if (first === undefined) throw new Error('cannot infer a schema from no rows: pass one');
  return new Schema(
    first.map((_, i) => ({
      name: names?.[i] ?? `f${i}`,
      type: inferType(rows.map((r) => r[i] ?? null)),
    })),
  );
}

function inferType(values: readonly Value[]): LogicalType {
  const v = values.find((x) => x !== null);
  if (v === undefined || v === null) return Types.STRING();
  if (typeof v === 'number') {
    const ints = values.every((x) => x === null || (typeof x === 'number' && Number.isInteger(x) && Math.abs(x) < 2 ** 31));
    return ints ? Types.INT() : Types.DOUBLE();
  }
  if (typeof v === 'string') return Types.STRING();
  if (typeof v === 'boolean') return Types.BOOLEAN();
  if (typeof v === 'bigint') return Types.BIGINT();
  if (v instanceof Uint8Array) return Types.BYTES();
  if (Array.isArray(v)) return Types.ARRAY(inferType(values.flatMap((x) => (x === null ? [] : (x as Value[])))));
  throw new TypeError(`cannot infer a type for ${String(v)}: pass a schema`);
}
