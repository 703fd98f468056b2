// Concatenation and slicing of batches: what output buffers need to coalesce the small per-channel pieces a
// hash exchange cuts a batch into (flushed when full or on the buffer timeout) and to cut a batch where a
// watermark must be emitted between two of its rows. Flat layouts are copied with TypedArray.set.
import { unreachable } from '../types/logical-type.js';
import { makeBatch, takeRows, type RecordBatch } from './batch.js';
import type { Column } from './column.js';
import { validityBytes } from './validity.js';

/** One batch holding the rows of `batches` in order; all must share a schema. */
export function concatBatches(batches: readonly RecordBatch[]): RecordBatch {
  if (batches.length === 1) return batches[0] as RecordBatch;
  const first = batches[0];
  if (first === undefined) throw new Error('concatBatches needs at least one batch');
  let n = 0;
  for (const b of batches) n += b.length;
  const kinds = new Uint8Array(n);
  let timestamps: Float64Array | undefined;
  if (batches.some((b) => b.timestamps !== undefined)) timestamps = new Float64Array(n).fill(Number.NaN);
  let at = 0;
  for (const b of batches) {
    kinds.set(b.kinds.subarray(0, b.length), at);
    if (timestamps !== undefined && b.timestamps !== undefined) timestamps.set(b.timestamps.subarray(0, b.length), at);
    at += b.length;
  }
  const columns = first.columns.map((_, i) =>
    concatColumns(
      batches.map((b) => b.columns[i] as Column),
      batches.map((b) => b.length),
    ),
  );
  return makeBatch(first.schema, columns, n, kinds, timestamps);
}

/** Rows [from, to) of a batch, copied. */
export function sliceBatch(batch: RecordBatch, from: number, to: number): RecordBatch {
  if (from === 0 && to === batch.length) return batch;
  const rows = new Int32Array(to - from);
  for (let i = 0; i < rows.length; i++) rows[i] = from + i;
  return takeRows(batch, rows, rows.length);
}

function concatValidity(cols: readonly Column[], lengths: readonly number[], n: number): Uint8Array | null {
  if (cols.every((c) => c.validity === null)) return null;
  const out = new Uint8Array(validityBytes(n));
  let at = 0;
  cols.forEach((c, k) => {
    const len = lengths[k] as number;
    const v = c.validity;
    for (let i = 0; i < len; i++) {
      const valid = v === null || (((v[i >>> 3] as number) >>> (i & 7)) & 1) === 1;
      if (valid) out[(at + i) >>> 3] |= 1 << ((at + i) & 7);
    }
    at += len;
  });
  return out;
}

type Flat = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

function concatFlat<T extends Flat>(parts: readonly T[], lengths: readonly number[], make: (n: number) => T, n: number): T {
  const out = make(n);
  let at = 0;
  parts.forEach((p, k) => {
    const len = lengths[k] as number;
    (out as unknown as { set(a: T, o: number): void }).set(p.subarray(0, len) as T, at);
    at += len;
  });
  return out;
}

/**
 * BIGINT and DECIMAL columns come in an exact-double layout (f64) and, once a value needs it, a wide one (i64 for
 * BIGINT, big for DECIMAL; see column.ts). Batches built apart can differ, so parts are brought to the widest
 * layout among them before concatenation (a Float64Array cannot take a BigInt64Array's values).
 */
function sameLayout(cols: readonly Column[]): readonly Column[] {
  let wide: 'i64' | 'big' | null = null;
  for (const c of cols) {
    if (c.kind === 'big') wide = 'big';
    else if (c.kind === 'i64' && wide === null) wide = 'i64';
  }
  if (wide === null || cols.every((c) => c.kind === wide)) return cols;
  return cols.map((c): Column => {
    if (c.kind === wide) return c;
    if (c.kind !== 'f64' && c.kind !== 'i64')
      throw new Error(`concatBatches: a ${c.kind} column cannot join ${wide} columns of the same field`);
    // A null slot may hold anything (NaN): it becomes 0n, its validity bit still says null.
    const at = (i: number): bigint => {
      const v = c.values[i] as number | bigint;
      return typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : 0n;
    };
    const n = c.values.length;
    if (wide === 'i64') {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) values[i] = at(i);
      return { kind: 'i64', validity: c.validity, values };
    }
    const values = new Array<bigint>(n);
    for (let i = 0; i < n; i++) values[i] = at(i);
    return { kind: 'big', validity: c.validity, values };
  });
}

function concatColumns(parts: readonly Column[], lengths: readonly number[]): Column {
  const cols = sameLayout(parts);
  let n = 0;
  for (const l of lengths) n += l;
  const validity = concatValidity(cols, lengths, n);
  const first = cols[0] as Column;
  switch (first.kind) {
    case 'bool':
      return { kind: 'bool', validity, values: concatFlat(vals<Uint8Array>(cols), lengths, (k) => new Uint8Array(k), n) };
    case 'i8':
      return { kind: 'i8', validity, values: concatFlat(vals<Int8Array>(cols), lengths, (k) => new Int8Array(k), n) };
    case 'i16':
      return { kind: 'i16', validity, values: concatFlat(vals<Int16Array>(cols), lengths, (k) => new Int16Array(k), n) };
    case 'i32':
      return { kind: 'i32', validity, values: concatFlat(vals<Int32Array>(cols), lengths, (k) => new Int32Array(k), n) };
    case 'f32':
      return { kind: 'f32', validity, values: concatFlat(vals<Float32Array>(cols), lengths, (k) => new Float32Array(k), n) };
    case 'f64':
      return { kind: 'f64', validity, values: concatFlat(vals<Float64Array>(cols), lengths, (k) => new Float64Array(k), n) };
    case 'i64':
      return { kind: 'i64', validity, values: concatFlat(vals<BigInt64Array>(cols), lengths, (k) => new BigInt64Array(k), n) };
    case 'ts':
      return {
        kind: 'ts',
        validity,
        values: concatFlat(vals<Float64Array>(cols), lengths, (k) => new Float64Array(k), n),
        nanos: concatFlat(
          cols.map((c) => (c as Extract<Column, { kind: 'ts' }>).nanos),
          lengths,
          (k) => new Int32Array(k),
          n,
        ),
      };
    case 'big':
    case 'str':
    case 'bin': {
      const out: unknown[] = [];
      cols.forEach((c, k) => {
        const v = (c as { values: unknown[] }).values;
        for (let i = 0; i < (lengths[k] as number); i++) out.push(v[i]);
      });
      return { kind: first.kind, validity, values: out } as Column;
    }
    case 'struct':
      return {
        kind: 'struct',
        validity,
        children: first.children.map((_, f) =>
          concatColumns(
            cols.map((c) => (c as Extract<Column, { kind: 'struct' }>).children[f] as Column),
            lengths,
          ),
        ),
      };
    case 'list': {
      const ls = cols as readonly Extract<Column, { kind: 'list' }>[];
      const { offsets, childLengths } = concatOffsets(ls.map((c) => c.offsets), lengths, n);
      return { kind: 'list', validity, offsets, child: concatColumns(ls.map((c) => c.child), childLengths) };
    }
    case 'map': {
      const ms = cols as readonly Extract<Column, { kind: 'map' }>[];
      const { offsets, childLengths } = concatOffsets(ms.map((c) => c.offsets), lengths, n);
      return {
        kind: 'map',
        validity,
        offsets,
        keys: concatColumns(ms.map((c) => c.keys), childLengths),
        values: concatColumns(ms.map((c) => c.values), childLengths),
      };
    }
    default:
      return unreachable(first);
  }
}

function vals<T>(cols: readonly Column[]): T[] {
  return cols.map((c) => (c as unknown as { values: T }).values);
}

/** Offsets of nested columns, shifted so that each part's children follow the previous part's. */
function concatOffsets(
  parts: readonly Int32Array[],
  lengths: readonly number[],
  n: number,
): { offsets: Int32Array; childLengths: number[] } {
  const offsets = new Int32Array(n + 1);
  const childLengths: number[] = [];
  let at = 0;
  let base = 0;
  parts.forEach((o, k) => {
    const len = lengths[k] as number;
    const start = o[0] as number;
    for (let i = 0; i < len; i++) offsets[at + i + 1] = base + (o[i + 1] as number) - start;
    // Nested columns built here and by takeColumn start their children at offset 0, so a part's children are
    // the first (last offset - first offset) entries of its child column.
    childLengths.push((o[len] as number) - start);
    at += len;
    base += (o[len] as number) - start;
  });
  return { offsets, childLengths };
}
