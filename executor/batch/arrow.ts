// Conversion between our batches and Arrow RecordBatches, used at the edges: IPC between workers and processes,
// result export. Fixed-width numeric columns are shared without copying; BOOLEAN (bytes vs bits), exact-double
// BIGINT/DECIMAL/TIMESTAMP (doubles vs 64/128-bit integers) and strings (JS strings vs UTF-8) are converted.
// The exact logical type of each field travels in the field metadata `freshet.type`, and the row kinds in a
// trailing Int8 field `$rowkind`, so a round trip restores the batch exactly.
import type {
  DataType} from 'apache-arrow';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  DurationMillisecond,
  Field as ArrowField,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  IntervalYearMonth,
  List,
  Map_,
  RecordBatch as ArrowRecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table,
  TimeMillisecond,
  TimestampMillisecond,
  TimestampNanosecond,
  Type,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { Types, unreachable, type LogicalType } from '../types/logical-type.js';
import { Schema, type Field } from '../types/schema.js';
import { makeBatch, type RecordBatch } from './batch.js';
import type { Column } from './column.js';
import { countNulls, validityBytes } from './validity.js';

export const ROW_KIND_FIELD = '$rowkind';
const TYPE_KEY = 'freshet.type';

export function toArrowType(t: LogicalType): DataType {
  switch (t.kind) {
    case 'BOOLEAN':
      return new Bool();
    case 'TINYINT':
      return new Int8();
    case 'SMALLINT':
      return new Int16();
    case 'INT':
      return new Int32();
    case 'BIGINT':
      return new Int64();
    case 'FLOAT':
      return new Float32();
    case 'DOUBLE':
      return new Float64();
    case 'DECIMAL':
      return new Decimal(t.scale, t.precision, 128);
    case 'CHAR':
    case 'VARCHAR':
      return new Utf8();
    case 'BINARY':
    case 'VARBINARY':
      return new Binary();
    case 'DATE':
      return new DateDay();
    case 'TIME':
      return new TimeMillisecond();
    case 'TIMESTAMP':
      return t.precision > 3 ? new TimestampNanosecond() : new TimestampMillisecond();
    case 'TIMESTAMP_LTZ':
      return t.precision > 3 ? new TimestampNanosecond('UTC') : new TimestampMillisecond('UTC');
    case 'INTERVAL':
      return t.family === 'YEAR_MONTH' ? new IntervalYearMonth() : new DurationMillisecond();
    case 'ARRAY':
      return new List(new ArrowField('element', toArrowType(t.element), true));
    case 'MAP':
      return new Map_(
        new ArrowField(
          'entries',
          new Struct([
            new ArrowField('key', toArrowType(t.key), false),
            new ArrowField('value', toArrowType(t.value), true),
          ] as never),
          false,
        ),
      );
    case 'ROW':
      return new Struct(t.fields.map((f) => new ArrowField(f.name, toArrowType(f.type), f.type.nullable)));
    case 'NULL':
      return new Bool();
    default:
      return unreachable(t);
  }
}

/** The logical type for an Arrow type written by another program (without our metadata). */
export function fromArrowType(a: DataType, nullable: boolean): LogicalType {
  switch (a.typeId) {
    case Type.Bool:
      return Types.BOOLEAN(nullable);
    case Type.Int: {
      const bits = (a as unknown as { bitWidth: number }).bitWidth;
      return bits === 8 ? Types.TINYINT(nullable) : bits === 16 ? Types.SMALLINT(nullable) : bits === 32 ? Types.INT(nullable) : Types.BIGINT(nullable);
    }
    case Type.Float:
      return (a as Float32).precision === 1 ? Types.FLOAT(nullable) : Types.DOUBLE(nullable);
    case Type.Decimal:
      return Types.DECIMAL((a as Decimal).precision, (a as Decimal).scale, nullable);
    case Type.Utf8:
      return Types.STRING(nullable);
    case Type.Binary:
      return Types.BYTES(nullable);
    case Type.Date:
      return Types.DATE(nullable);
    case Type.Time:
      return Types.TIME(0, nullable);
    case Type.Timestamp: {
      const ts = a as TimestampMillisecond;
      const p = ts.unit === 1 ? 3 : 9;
      return ts.timezone ? Types.TIMESTAMP_LTZ(p, nullable) : Types.TIMESTAMP(p, nullable);
    }
    case Type.Interval:
      return Types.INTERVAL('YEAR_MONTH', nullable);
    case Type.Duration:
      return Types.INTERVAL('DAY_TIME', nullable);
    case Type.List: {
      const child = (a as List).children[0] as ArrowField;
      return Types.ARRAY(fromArrowType(child.type, child.nullable), nullable);
    }
    case Type.Map: {
      const entries = (a as Map_).children[0] as ArrowField<Struct>;
      const [k, v] = entries.type.children as [ArrowField, ArrowField];
      return Types.MAP(fromArrowType(k.type, k.nullable), fromArrowType(v.type, v.nullable), nullable);
    }
    case Type.Struct:
      return Types.ROW(
        (a as Struct).children.map((f) => ({ name: f.name, type: fromArrowType(f.type, f.nullable) })),
        nullable,
      );
    default:
      throw new TypeError(`Arrow type ${String(a)} has no Freshet equivalent`);
  }
}

// makeData's overloads are keyed by the static Arrow type; the mapping above already guarantees the pairing.
const mk = (props: Record<string, unknown>): Data => makeData(props as never) as Data;

function columnToData(c: Column, t: LogicalType, length: number): Data {
  const type = toArrowType(t);
  const nullBitmap = c.validity ?? undefined;
  const base = { type, length, nullCount: countNulls(c.validity, length), nullBitmap };
  switch (c.kind) {
    case 'bool': {
      const bits = new Uint8Array(validityBytes(length));
      for (let i = 0; i < length; i++) if (c.values[i] !== 0) bits[i >>> 3] |= 1 << (i & 7);
      return mk({ ...base, data: bits });
    }
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
      return mk({ ...base, data: c.values });
    case 'f64':
      if (t.kind === 'DOUBLE') return mk({ ...base, data: c.values });
      if (t.kind === 'DECIMAL') return mk({ ...base, data: decimalWords(c.values, length) });
      return mk({ ...base, data: BigInt64Array.from(c.values, (v) => BigInt(v)) });
    case 'i64':
      return mk({ ...base, data: c.values });
    case 'big':
      return mk({ ...base, data: decimalWords(c.values, length) });
    case 'ts': {
      const ns = new BigInt64Array(length);
      for (let i = 0; i < length; i++) ns[i] = BigInt(c.values[i] as number) * 1_000_000n + BigInt(c.nanos[i] as number);
      return mk({ ...base, data: ns });
    }
    case 'str': {
      const enc = new TextEncoder();
      const parts = c.values.map((s) => enc.encode(s));
      return mk({ ...base, ...concatBytes(parts) });
    }
    case 'bin':
      return mk({ ...base, ...concatBytes(c.values) });
    case 'struct': {
      if (t.kind !== 'ROW') throw new TypeError('struct column without ROW type');
      return mk({ ...base, children: c.children.map((ch, i) => columnToData(ch, (t.fields[i] as Field).type, length)) });
    }
    case 'list': {
      if (t.kind !== 'ARRAY') throw new TypeError('list column without ARRAY type');
      const n = c.offsets[length] as number;
      return mk({ ...base, valueOffsets: c.offsets, child: columnToData(c.child, t.element, n) });
    }
    case 'map': {
      if (t.kind !== 'MAP') throw new TypeError('map column without MAP type');
      const n = c.offsets[length] as number;
      const entriesType = (toArrowType(t) as Map_).children[0] as ArrowField;
      const entries = mk({
        type: entriesType.type,
        length: n,
        nullCount: 0,
        children: [columnToData(c.keys, t.key, n), columnToData(c.values, t.value, n)],
      });
      return mk({ ...base, valueOffsets: c.offsets, child: entries });
    }
    default:
      return unreachable(c);
  }
}

function concatBytes(parts: readonly Uint8Array[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p.length;
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  parts.forEach((p, i) => data.set(p, valueOffsets[i] as number));
  return { valueOffsets, data };
}

/** Unscaled decimals as Arrow's 128-bit little-endian two's-complement words. */
function decimalWords(values: ArrayLike<number | bigint>, length: number): Uint32Array {
  const out = new Uint32Array(length * 4);
  for (let i = 0; i < length; i++) {
    let v = BigInt.asUintN(128, BigInt(values[i] as number | bigint));
    for (let w = 0; w < 4; w++) {
      out[i * 4 + w] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  }
  return out;
}

function readDecimal(words: Uint32Array, i: number): bigint {
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w] as number);
  return BigInt.asIntN(128, v);
}

function dataToColumn(d: Data, t: LogicalType): Column {
  const length = d.length;
  if (d.offset !== 0) throw new RangeError('sliced Arrow data (offset != 0) must be copied before conversion');
  const validity = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap.subarray(0, validityBytes(length)) : null;
  const values = d.values as ArrayLike<number | bigint> & { subarray(a: number, b: number): never };
  switch (t.kind) {
    case 'BOOLEAN':
    case 'NULL': {
      const out = new Uint8Array(length);
      const bits = d.values as Uint8Array;
      for (let i = 0; i < length; i++) out[i] = ((bits[i >>> 3] as number) >>> (i & 7)) & 1;
      return { kind: 'bool', values: out, validity };
    }
    case 'TINYINT':
      return { kind: 'i8', values: values.subarray(0, length), validity };
    case 'SMALLINT':
      return { kind: 'i16', values: values.subarray(0, length), validity };
    case 'INT':
    case 'DATE':
    case 'TIME':
      return { kind: 'i32', values: values.subarray(0, length), validity };
    case 'FLOAT':
      return { kind: 'f32', values: values.subarray(0, length), validity };
    case 'DOUBLE':
      return { kind: 'f64', values: values.subarray(0, length), validity };
    case 'INTERVAL':
      if (t.family === 'YEAR_MONTH') return { kind: 'i32', values: values.subarray(0, length), validity };
      return { kind: 'f64', values: Float64Array.from(values.subarray(0, length) as BigInt64Array, Number), validity };
    case 'BIGINT': {
      const big = values.subarray(0, length) as BigInt64Array;
      let safe = true;
      for (let i = 0; i < length && safe; i++) {
        const v = big[i] as bigint;
        safe = v >= -(2n ** 53n) && v <= 2n ** 53n;
      }
      return safe ? { kind: 'f64', values: Float64Array.from(big, Number), validity } : { kind: 'i64', values: big, validity };
    }
    case 'DECIMAL': {
      const words = d.values as Uint32Array;
      const vals: bigint[] = [];
      let safe = true;
      for (let i = 0; i < length; i++) {
        const v = readDecimal(words, i);
        vals.push(v);
        if (v < -(2n ** 53n) || v > 2n ** 53n) safe = false;
      }
      return safe ? { kind: 'f64', values: Float64Array.from(vals, Number), validity } : { kind: 'big', values: vals, validity };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const raw = values.subarray(0, length) as BigInt64Array;
      if (t.precision <= 3) return { kind: 'f64', values: Float64Array.from(raw, Number), validity };
      const ms = new Float64Array(length);
      const nanos = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        const ns = raw[i] as bigint;
        let m = ns / 1_000_000n;
        if (ns % 1_000_000n < 0n) m -= 1n;
        ms[i] = Number(m);
        nanos[i] = Number(ns - m * 1_000_000n);
      }
      return { kind: 'ts', values: ms, nanos, validity };
    }
    case 'CHAR':
    case 'VARCHAR': {
      const dec = new TextDecoder();
      const offs = d.valueOffsets as Int32Array;
      const bytes = d.values as Uint8Array;
      const out: string[] = new Array<string>(length);
      for (let i = 0; i < length; i++) out[i] = dec.decode(bytes.subarray(offs[i], offs[i + 1]));
      return { kind: 'str', values: out, validity };
    }
    case 'BINARY':
    case 'VARBINARY': {
      const offs = d.valueOffsets as Int32Array;
      const bytes = d.values as Uint8Array;
      const out: Uint8Array[] = [];
      for (let i = 0; i < length; i++) out.push(bytes.slice(offs[i], offs[i + 1]));
      return { kind: 'bin', values: out, validity };
    }
    case 'ROW':
      return {
        kind: 'struct',
        children: d.children.map((ch, i) => dataToColumn(ch, (t.fields[i] as Field).type)),
        validity,
      };
    case 'ARRAY':
      return {
        kind: 'list',
        offsets: (d.valueOffsets as Int32Array).subarray(0, length + 1),
        child: dataToColumn(d.children[0] as Data, t.element),
        validity,
      };
    case 'MAP': {
      const entries = d.children[0] as Data;
      return {
        kind: 'map',
        offsets: (d.valueOffsets as Int32Array).subarray(0, length + 1),
        keys: dataToColumn(entries.children[0] as Data, t.key),
        values: dataToColumn(entries.children[1] as Data, t.value),
        validity,
      };
    }
    default:
      return unreachable(t);
  }
}

export function toArrowSchema(schema: Schema): ArrowSchema {
  const fields = schema.fields.map(
    (f) => new ArrowField(f.name, toArrowType(f.type), f.type.nullable, new Map([[TYPE_KEY, JSON.stringify(f.type)]])),
  );
  fields.push(new ArrowField(ROW_KIND_FIELD, new Int8(), false));
  return new ArrowSchema(fields);
}

export function toArrow(batch: RecordBatch): ArrowRecordBatch {
  const schema = toArrowSchema(batch.schema);
  const children = batch.columns.map((c, i) => columnToData(c, batch.schema.field(i).type, batch.length));
  children.push(mk({ type: new Int8(), length: batch.length, nullCount: 0, data: new Int8Array(batch.kinds.buffer, batch.kinds.byteOffset, batch.length) }));
  const data = mk({ type: new Struct(schema.fields), length: batch.length, nullCount: 0, children });
  return new ArrowRecordBatch(schema, data as Data<Struct>);
}

export function fromArrow(rb: ArrowRecordBatch): RecordBatch {
  const fields: Field[] = [];
  const columns: Column[] = [];
  let kinds: Uint8Array | undefined;
  rb.schema.fields.forEach((f, i) => {
    const d = rb.data.children[i] as Data;
    if (f.name === ROW_KIND_FIELD) {
      const k = d.values as Int8Array;
      kinds = new Uint8Array(k.buffer, k.byteOffset, rb.numRows);
      return;
    }
    const meta = f.metadata.get(TYPE_KEY);
    const type = meta !== undefined ? (JSON.parse(meta) as LogicalType) : fromArrowType(f.type, f.nullable);
    fields.push({ name: f.name, type });
    columns.push(dataToColumn(d, type));
  });
  return makeBatch(new Schema(fields), columns, rb.numRows, kinds);
}

/** Arrow IPC stream bytes for a batch (what crosses worker and process boundaries). */
export function batchToIPC(batch: RecordBatch): Uint8Array {
  return tableToIPC(new Table([toArrow(batch)]), 'stream');
}

export function batchFromIPC(bytes: Uint8Array): RecordBatch[] {
  return tableFromIPC(bytes).batches.map(fromArrow);
}
