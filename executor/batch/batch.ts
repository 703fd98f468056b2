// The micro-batch: the unit records travel in. A batch is a network buffer, not a scheduling unit: an operator
// handles it as soon as it arrives and hands its output on (DESIGN.md, "Record flow"). Columns follow
// column.ts; `kinds` holds each row's RowKind code.
import type { Field, Schema } from '../types/schema.js';
import { ColumnBuilder, getValue, takeColumn, type Column, type Value } from './column.js';
import type { RowKind } from '../types/row-kind.js';

export interface RecordBatch {
  readonly schema: Schema;
  readonly length: number;
  /** RowKind code per row (row-kind.ts). */
  readonly kinds: Uint8Array;
  readonly columns: readonly Column[];
  /**
   * Event timestamp (epoch ms) per row, as Flink's StreamRecord carries one beside the value: set by a timestamp
   * assigner or a windowed result in the DataStream API. Absent when the rows carry no timestamp (SQL keeps its
   * time attribute in a column instead).
   */
  readonly timestamps?: Float64Array;
}

/** What flows on a channel between operators: data, event-time progress, checkpoint barriers, end of input. */
export type StreamElement =
  | { readonly kind: 'batch'; readonly batch: RecordBatch }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'barrier'; readonly checkpointId: number; readonly timestamp: number }
  /** Flink's WatermarkStatus: an idle input is left out of the downstream watermark minimum until active again. */
  | { readonly kind: 'idle'; readonly idle: boolean }
  | { readonly kind: 'end' };

/** A watermark that fires every window: a bounded input ends with it. */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

export function makeBatch(
  schema: Schema,
  columns: readonly Column[],
  length: number,
  kinds?: Uint8Array,
  timestamps?: Float64Array,
): RecordBatch {
  if (columns.length !== schema.size) {
    throw new Error(`batch has ${columns.length} columns but its schema has ${schema.size} fields`);
  }
  const k = kinds ?? new Uint8Array(length);
  return timestamps === undefined ? { schema, length, columns, kinds: k } : { schema, length, columns, kinds: k, timestamps };
}

/** Row-wise construction, for tests, literals and edges; operators build columns directly. */
export function batchFromRows(schema: Schema, rows: readonly (readonly Value[])[], kinds?: readonly RowKind[]): RecordBatch {
  const builders = schema.fields.map((f) => new ColumnBuilder(f.type, rows.length));
  for (const row of rows) builders.forEach((b, i) => b.append(row[i] ?? null));
  const k = new Uint8Array(rows.length);
  if (kinds !== undefined) k.set(kinds);
  return makeBatch(
    schema,
    builders.map((b) => b.finish()),
    rows.length,
    k,
  );
}

/** Reads a batch back into rows. Not for hot paths. */
export function batchToRows(batch: RecordBatch): Value[][] {
  const out: Value[][] = [];
  for (let r = 0; r < batch.length; r++) out.push(rowAt(batch, r));
  return out;
}

export function rowAt(batch: RecordBatch, r: number): Value[] {
  // A plain loop: the DataStream API calls this once per row for every per-row user function.
  const cols = batch.columns;
  const fields = batch.schema.fields;
  const out = new Array<Value>(cols.length);
  for (let i = 0; i < cols.length; i++) out[i] = getValue(cols[i] as Column, (fields[i] as Field).type, r);
  return out;
}

/** The rows at the given indices, in order: the output of a filter, or any gather (a sort's permutation). */
export function takeRows(batch: RecordBatch, rows: Int32Array, n: number): RecordBatch {
  // A filter that kept every row returns the batch itself; n rows that are not 0..n-1 in order (a permutation, a
  // row taken twice) are a real gather.
  if (n === batch.length && isIdentity(rows, n)) return batch;
  const kinds = new Uint8Array(n);
  for (let j = 0; j < n; j++) kinds[j] = batch.kinds[rows[j] as number] as number;
  let ts: Float64Array | undefined;
  if (batch.timestamps !== undefined) {
    ts = new Float64Array(n);
    for (let j = 0; j < n; j++) ts[j] = batch.timestamps[rows[j] as number] as number;
  }
  return makeBatch(
    batch.schema,
    batch.columns.map((c, i) => takeColumn(c, batch.schema.field(i).type, rows, n)),
    n,
    kinds,
    ts,
  );
}

function isIdentity(rows: Int32Array, n: number): boolean {
  for (let j = 0; j < n; j++) if (rows[j] !== j) return false;
  return true;
}
