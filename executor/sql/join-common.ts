// Pieces the SQL join operators share: the join type and compiled ON condition the planner hands over, the
// candidate-pair batch the condition runs on (one call per input batch or watermark, never per pair), the
// output builder that writes joined, NULL-padded or left-only rows straight into columns, and readers for key
// NULL-ness and time columns that look at the typed arrays instead of building values.
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import type { Key } from '../runtime/key.js';
import { Schema } from '../types/schema.js';
import { keyOfValues } from './keys.js';

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

/**
 * For each row of `pairs` (schema: left fields ++ right fields) 1 when the non-equi part of the ON condition
 * holds, 0 when it is false or NULL. Compiled by the planner; called on a batch of candidate pairs.
 */
export type JoinCondition = (pairs: RecordBatch) => Uint8Array;

export function isLeftOuter(t: JoinType): boolean {
  return t === 'LEFT' || t === 'FULL';
}

export function isRightOuter(t: JoinType): boolean {
  return t === 'RIGHT' || t === 'FULL';
}

/** The schema of candidate pairs: left fields ++ right fields (also the output of INNER/outer joins). */
export function pairSchema(left: Schema, right: Schema): Schema {
  return new Schema([...left.fields, ...right.fields]);
}

/** Checks the config against the schemas once, so a planner bug fails at construction, not on the first row. */
export function checkJoinConfig(
  name: string,
  type: JoinType,
  left: Schema,
  right: Schema,
  leftKeys: readonly number[],
  rightKeys: readonly number[],
  output: Schema,
): void {
  if (leftKeys.length !== rightKeys.length) {
    throw new Error(`${name}: ${leftKeys.length} left keys but ${rightKeys.length} right keys`);
  }
  for (const k of leftKeys)
    if (k < 0 || k >= left.size) throw new RangeError(`${name}: left key ${k} out of range`);
  for (const k of rightKeys)
    if (k < 0 || k >= right.size) throw new RangeError(`${name}: right key ${k} out of range`);
  const width = type === 'SEMI' || type === 'ANTI' ? left.size : left.size + right.size;
  if (output.size !== width) {
    throw new Error(
      `${name}: a ${type} join outputs ${width} fields but the output schema has ${output.size}`,
    );
  }
}

/** The identity of a row in a multiset state (equal values, equal identity). */
export function rowIdentity(row: readonly Value[]): Key {
  return keyOfValues(row);
}

/** 1 for rows with a NULL in any key column (they never match under SQL `=`), or null when there are none. */
export function nullKeyMask(batch: RecordBatch, cols: readonly number[]): Uint8Array | null {
  let mask: Uint8Array | null = null;
  for (const c of cols) {
    const validity = (batch.columns[c] as Column).validity;
    if (validity === null) continue;
    for (let r = 0; r < batch.length; r++) {
      if (!isValid(validity, r)) (mask ??= new Uint8Array(batch.length))[r] = 1;
    }
  }
  return mask;
}

/**
 * Epoch milliseconds of a time column (TIMESTAMP(p)/TIMESTAMP_LTZ(p) or BIGINT), NaN where NULL: read from the
 * typed array, since the time of every row is needed.
 */
export function readTimes(batch: RecordBatch, col: number): Float64Array {
  const c = batch.columns[col] as Column;
  const n = batch.length;
  const out = new Float64Array(n);
  switch (c.kind) {
    case 'f64':
    case 'ts':
    case 'i32':
      for (let i = 0; i < n; i++) out[i] = c.values[i] as number;
      break;
    case 'i64':
    case 'big':
      for (let i = 0; i < n; i++) out[i] = Number(c.values[i] as bigint);
      break;
    default:
      throw new TypeError(`column ${col} (${batch.schema.field(col).name}) is not a time column`);
  }
  if (c.validity !== null) for (let i = 0; i < n; i++) if (!isValid(c.validity, i)) out[i] = Number.NaN;
  return out;
}

/** Candidate pairs for one condition call: rows are appended as values, then evaluated as one batch. */
export class PairBatch {
  private builders: ColumnBuilder[];
  private n = 0;

  constructor(
    private readonly schema: Schema,
    private readonly leftWidth: number,
  ) {
    this.builders = schema.fields.map((f) => new ColumnBuilder(f.type, 64));
  }

  get length(): number {
    return this.n;
  }

  /** Adds a pair and returns its index in the batch. */
  add(left: readonly Value[], right: readonly Value[]): number {
    const bs = this.builders;
    const lw = this.leftWidth;
    for (let i = 0; i < lw; i++) (bs[i] as ColumnBuilder).append(left[i] as Value);
    for (let i = lw; i < bs.length; i++) (bs[i] as ColumnBuilder).append(right[i - lw] as Value);
    return this.n++;
  }

  /** Runs the condition on the pairs so far and starts over; null when there is no condition (all match). */
  evaluate(condition: JoinCondition | null): Uint8Array | null {
    if (condition === null || this.n === 0) {
      this.reset();
      return null;
    }
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      this.n,
    );
    const result = condition(batch);
    if (result.length < this.n) {
      throw new Error(`join condition returned ${result.length} results for ${this.n} candidate pairs`);
    }
    this.reset();
    return result;
  }

  private reset(): void {
    if (this.n === 0) return;
    this.builders = this.schema.fields.map((f) => new ColumnBuilder(f.type, 64));
    this.n = 0;
  }
}

/** Output rows of a join, written field by field into column builders (no concatenated row per output). */
export class JoinRowsBuilder {
  private builders: ColumnBuilder[];
  private kinds: number[] = [];

  constructor(
    private readonly schema: Schema,
    private readonly leftWidth: number,
  ) {
    this.builders = schema.fields.map((f) => new ColumnBuilder(f.type, 64));
  }

  get length(): number {
    return this.kinds.length;
  }

  /** left ++ right, either side null for NULL padding. */
  pair(kind: number, left: readonly Value[] | null, right: readonly Value[] | null): void {
    const bs = this.builders;
    const lw = this.leftWidth;
    if (left === null) for (let i = 0; i < lw; i++) (bs[i] as ColumnBuilder).appendNull();
    else for (let i = 0; i < lw; i++) (bs[i] as ColumnBuilder).append(left[i] as Value);
    if (right === null) for (let i = lw; i < bs.length; i++) (bs[i] as ColumnBuilder).appendNull();
    else for (let i = lw; i < bs.length; i++) (bs[i] as ColumnBuilder).append(right[i - lw] as Value);
    this.kinds.push(kind);
  }

  /** A row of the left input alone (SEMI/ANTI output). */
  row(kind: number, row: readonly Value[]): void {
    const bs = this.builders;
    for (let i = 0; i < bs.length; i++) (bs[i] as ColumnBuilder).append(row[i] as Value);
    this.kinds.push(kind);
  }

  /** The rows so far as one batch (null if none); the builder starts over. */
  build(): RecordBatch | null {
    const n = this.kinds.length;
    if (n === 0) return null;
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      n,
      Uint8Array.from(this.kinds),
    );
    this.builders = this.schema.fields.map((f) => new ColumnBuilder(f.type, 64));
    this.kinds = [];
    return batch;
  }
}
