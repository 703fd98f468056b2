// Stream elements as one transferable ArrayBuffer: what crosses a thread (and later a socket) between subtasks.
// The producer copies the batch's typed-array columns, validity bitmaps and UTF-8 strings into one buffer (one
// copy, 8-byte aligned sections); the buffer is transferred, not cloned, and the consumer reads the columns as
// views over it (no copy). The schema is not sent: both ends know the edge's schema from the job graph.
//
//   header  u32 magic 'FRSH', u8 element kind, then per kind:
//   batch   u32 rows, u32 columns, u8 has-timestamps, kinds[rows], timestamps f64[rows]?, columns...
//   column  u8 column-kind, u8 has-validity, validity[(rows+7)/8]?, then the kind's payload (see writeColumn)
import { makeBatch, type RecordBatch, type StreamElement } from '../batch/batch.js';
import type { Column } from '../batch/column.js';
import { validityBytes } from '../batch/validity.js';
import type { LogicalType } from '../types/logical-type.js';
import type { Schema } from '../types/schema.js';

const MAGIC = 0x48535246; // 'FRSH' little-endian
const KIND = { batch: 1, watermark: 2, barrier: 3, idle: 4, end: 5 } as const;
const COL = {
  bool: 1,
  i8: 2,
  i16: 3,
  i32: 4,
  f32: 5,
  f64: 6,
  i64: 7,
  big: 8,
  ts: 9,
  str: 10,
  bin: 11,
  struct: 12,
  list: 13,
  map: 14,
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const align8 = (n: number): number => (n + 7) & ~7;

/** Byte size of a column's section; strings are measured by encoding them once (kept for the write pass). */
function sizeColumn(c: Column, rows: number, strings: Uint8Array[][]): number {
  let n = 8 + (c.validity !== null ? align8(validityBytes(rows)) : 0);
  switch (c.kind) {
    case 'bool':
    case 'i8':
      return n + align8(rows);
    case 'i16':
      return n + align8(rows * 2);
    case 'i32':
    case 'f32':
      return n + align8(rows * 4);
    case 'f64':
    case 'i64':
      return n + rows * 8;
    case 'ts':
      return n + rows * 8 + align8(rows * 4);
    case 'big':
    case 'str':
    case 'bin': {
      const parts: Uint8Array[] = new Array<Uint8Array>(rows);
      let bytes = 0;
      for (let i = 0; i < rows; i++) {
        const v = c.values[i];
        const b =
          c.kind === 'bin'
            ? ((v as Uint8Array | undefined) ?? EMPTY)
            : encoder.encode(v === undefined || v === null ? '' : String(v));
        parts[i] = b;
        bytes += b.length;
      }
      strings.push(parts);
      return n + align8((rows + 1) * 4) + align8(bytes);
    }
    case 'struct':
      n += 8;
      for (const child of c.children) n += sizeColumn(child, rows, strings);
      return n;
    case 'list': {
      const inner = c.offsets[rows] ?? 0;
      return n + align8((rows + 1) * 4) + 8 + sizeColumn(c.child, inner, strings);
    }
    case 'map': {
      const inner = c.offsets[rows] ?? 0;
      return (
        n +
        align8((rows + 1) * 4) +
        8 +
        sizeColumn(c.keys, inner, strings) +
        sizeColumn(c.values, inner, strings)
      );
    }
  }
}

const EMPTY = new Uint8Array(0);

class Writer {
  pos = 0;
  readonly u8: Uint8Array;
  readonly view: DataView;
  constructor(readonly buf: ArrayBuffer) {
    this.u8 = new Uint8Array(buf);
    this.view = new DataView(buf);
  }
  u32(v: number): void {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  bytes(src: Uint8Array): void {
    this.u8.set(src, this.pos);
    this.pos = align8(this.pos + src.length);
  }
  /** Copies a typed array's bytes (only its own window of a possibly shared buffer). */
  typed(a: ArrayBufferView, count: number, width: number): void {
    this.u8.set(new Uint8Array(a.buffer, a.byteOffset, count * width), this.pos);
    this.pos = align8(this.pos + count * width);
  }
}

function writeColumn(w: Writer, c: Column, rows: number, strings: Uint8Array[][], si: { i: number }): void {
  w.u8[w.pos] = COL[c.kind];
  w.u8[w.pos + 1] = c.validity !== null ? 1 : 0;
  w.pos += 8;
  if (c.validity !== null) w.bytes(c.validity.subarray(0, validityBytes(rows)));
  switch (c.kind) {
    case 'bool':
    case 'i8':
      return w.typed(c.values, rows, 1);
    case 'i16':
      return w.typed(c.values, rows, 2);
    case 'i32':
    case 'f32':
      return w.typed(c.values, rows, 4);
    case 'f64':
    case 'i64':
      return w.typed(c.values, rows, 8);
    case 'ts':
      w.typed(c.values, rows, 8);
      return w.typed(c.nanos, rows, 4);
    case 'big':
    case 'str':
    case 'bin': {
      const parts = strings[si.i++] as Uint8Array[];
      const offsets = new Int32Array(rows + 1);
      let off = 0;
      for (let i = 0; i < rows; i++) {
        offsets[i] = off;
        off += (parts[i] as Uint8Array).length;
      }
      offsets[rows] = off;
      w.typed(offsets, rows + 1, 4);
      const start = w.pos;
      for (const p of parts) {
        w.u8.set(p, w.pos);
        w.pos += p.length;
      }
      w.pos = align8(start + off);
      return;
    }
    case 'struct':
      w.u32(c.children.length);
      w.pos += 4;
      for (const child of c.children) writeColumn(w, child, rows, strings, si);
      return;
    case 'list':
      w.typed(c.offsets, rows + 1, 4);
      w.pos += 8;
      return writeColumn(w, c.child, c.offsets[rows] ?? 0, strings, si);
    case 'map':
      w.typed(c.offsets, rows + 1, 4);
      w.pos += 8;
      writeColumn(w, c.keys, c.offsets[rows] ?? 0, strings, si);
      return writeColumn(w, c.values, c.offsets[rows] ?? 0, strings, si);
  }
}

/** Encodes one element into a fresh buffer the caller may transfer. */
export function encodeElement(el: StreamElement): ArrayBuffer {
  switch (el.kind) {
    case 'watermark':
    case 'barrier': {
      const buf = new ArrayBuffer(24);
      const v = new DataView(buf);
      v.setUint32(0, MAGIC, true);
      v.setUint8(4, KIND[el.kind]);
      v.setFloat64(8, el.kind === 'watermark' ? el.timestamp : el.checkpointId, true);
      v.setFloat64(16, el.kind === 'barrier' ? el.timestamp : 0, true);
      return buf;
    }
    case 'idle':
    case 'end': {
      const buf = new ArrayBuffer(8);
      const v = new DataView(buf);
      v.setUint32(0, MAGIC, true);
      v.setUint8(4, KIND[el.kind]);
      v.setUint8(5, el.kind === 'idle' && el.idle ? 1 : 0);
      return buf;
    }
    case 'batch':
      return encodeBatch(el.batch);
  }
}

export function encodeBatch(b: RecordBatch): ArrayBuffer {
  const rows = b.length;
  const strings: Uint8Array[][] = [];
  let size = 16 + align8(rows) + (b.timestamps !== undefined ? rows * 8 : 0);
  for (const c of b.columns) size += sizeColumn(c, rows, strings);
  const w = new Writer(new ArrayBuffer(size));
  w.u32(MAGIC);
  w.u8[4] = KIND.batch;
  w.u8[5] = b.timestamps !== undefined ? 1 : 0;
  w.pos = 8;
  w.u32(rows);
  w.u32(b.columns.length);
  w.typed(b.kinds, rows, 1);
  if (b.timestamps !== undefined) w.typed(b.timestamps, rows, 8);
  const si = { i: 0 };
  for (const c of b.columns) writeColumn(w, c, rows, strings, si);
  return w.buf;
}

class Reader {
  pos = 0;
  readonly u8: Uint8Array;
  readonly view: DataView;
  constructor(readonly buf: ArrayBuffer) {
    this.u8 = new Uint8Array(buf);
    this.view = new DataView(buf);
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A view of `count` elements; sections are 8-byte aligned, so every typed view is legal. */
  view8(count: number): Uint8Array {
    const a = new Uint8Array(this.buf, this.pos, count);
    this.pos = align8(this.pos + count);
    return a;
  }
}

function readColumn(r: Reader, type: LogicalType, rows: number): Column {
  const kind = r.u8[r.pos];
  const hasValidity = r.u8[r.pos + 1] === 1;
  r.pos += 8;
  const validity = hasValidity ? r.view8(validityBytes(rows)) : null;
  const at = (): number => r.pos;
  const skip = (bytes: number): void => {
    r.pos = align8(r.pos + bytes);
  };
  switch (kind) {
    case COL.bool: {
      const values = new Uint8Array(r.buf, at(), rows);
      skip(rows);
      return { kind: 'bool', values, validity };
    }
    case COL.i8: {
      const values = new Int8Array(r.buf, at(), rows);
      skip(rows);
      return { kind: 'i8', values, validity };
    }
    case COL.i16: {
      const values = new Int16Array(r.buf, at(), rows);
      skip(rows * 2);
      return { kind: 'i16', values, validity };
    }
    case COL.i32: {
      const values = new Int32Array(r.buf, at(), rows);
      skip(rows * 4);
      return { kind: 'i32', values, validity };
    }
    case COL.f32: {
      const values = new Float32Array(r.buf, at(), rows);
      skip(rows * 4);
      return { kind: 'f32', values, validity };
    }
    case COL.f64: {
      const values = new Float64Array(r.buf, at(), rows);
      skip(rows * 8);
      return { kind: 'f64', values, validity };
    }
    case COL.i64: {
      const values = new BigInt64Array(r.buf, at(), rows);
      skip(rows * 8);
      return { kind: 'i64', values, validity };
    }
    case COL.ts: {
      const values = new Float64Array(r.buf, at(), rows);
      skip(rows * 8);
      const nanos = new Int32Array(r.buf, at(), rows);
      skip(rows * 4);
      return { kind: 'ts', values, nanos, validity };
    }
    case COL.big:
    case COL.str:
    case COL.bin: {
      const offsets = new Int32Array(r.buf, at(), rows + 1);
      skip((rows + 1) * 4);
      const base = r.pos;
      const total = offsets[rows] as number;
      skip(total);
      if (kind === COL.bin) {
        const values = new Array<Uint8Array>(rows);
        for (let i = 0; i < rows; i++)
          values[i] = r.u8.slice(base + (offsets[i] as number), base + (offsets[i + 1] as number));
        return { kind: 'bin', values, validity };
      }
      const values = new Array<string>(rows);
      // One decode for the whole column when it is ASCII-sized (byte offsets = char offsets) would be faster;
      // per-value decoding keeps multi-byte text exact.
      for (let i = 0; i < rows; i++) {
        const s = offsets[i] as number;
        const e = offsets[i + 1] as number;
        values[i] = s === e ? '' : decoder.decode(r.u8.subarray(base + s, base + e));
      }
      if (kind === COL.big) return { kind: 'big', values: values.map((v) => BigInt(v)), validity };
      return { kind: 'str', values, validity };
    }
    case COL.struct: {
      const n = r.u32();
      r.pos += 4;
      const fields = type.kind === 'ROW' ? type.fields : [];
      const children: Column[] = [];
      for (let f = 0; f < n; f++)
        children.push(readColumn(r, (fields[f] as { type: LogicalType }).type, rows));
      return { kind: 'struct', children, validity };
    }
    case COL.list: {
      const offsets = new Int32Array(r.buf, at(), rows + 1);
      skip((rows + 1) * 4);
      r.pos += 8;
      if (type.kind !== 'ARRAY') throw new Error(`list column for a ${type.kind} field`);
      const child = readColumn(r, type.element, offsets[rows] as number);
      return { kind: 'list', offsets, child, validity };
    }
    case COL.map: {
      const offsets = new Int32Array(r.buf, at(), rows + 1);
      skip((rows + 1) * 4);
      r.pos += 8;
      if (type.kind !== 'MAP') throw new Error(`map column for a ${type.kind} field`);
      const keys = readColumn(r, type.key, offsets[rows] as number);
      const values = readColumn(r, type.value, offsets[rows] as number);
      return { kind: 'map', offsets, keys, values, validity };
    }
    default:
      throw new Error(`corrupt frame: unknown column kind ${String(kind)}`);
  }
}

/** Decodes a buffer made by encodeElement; batch columns are views over `buf`, which the caller now owns. */
export function decodeElement(buf: ArrayBuffer, schema: Schema): StreamElement {
  const v = new DataView(buf);
  if (v.getUint32(0, true) !== MAGIC) throw new Error('corrupt frame: bad magic');
  switch (v.getUint8(4)) {
    case KIND.watermark:
      return { kind: 'watermark', timestamp: v.getFloat64(8, true) };
    case KIND.barrier:
      return { kind: 'barrier', checkpointId: v.getFloat64(8, true), timestamp: v.getFloat64(16, true) };
    case KIND.idle:
      return { kind: 'idle', idle: v.getUint8(5) === 1 };
    case KIND.end:
      return { kind: 'end' };
    case KIND.batch:
      return { kind: 'batch', batch: decodeBatch(buf, schema) };
    default:
      throw new Error(`corrupt frame: unknown element kind ${v.getUint8(4)}`);
  }
}

function decodeBatch(buf: ArrayBuffer, schema: Schema): RecordBatch {
  const r = new Reader(buf);
  const hasTs = r.u8[5] === 1;
  r.pos = 8;
  const rows = r.u32();
  const ncols = r.u32();
  if (ncols !== schema.size) throw new Error(`frame has ${ncols} columns, the edge's schema ${schema.size}`);
  const kinds = r.view8(rows);
  let timestamps: Float64Array | undefined;
  if (hasTs) {
    timestamps = new Float64Array(buf, r.pos, rows);
    r.pos += rows * 8;
  }
  const columns: Column[] = [];
  for (let i = 0; i < ncols; i++) columns.push(readColumn(r, schema.field(i).type, rows));
  return makeBatch(schema, columns, rows, kinds, timestamps);
}
