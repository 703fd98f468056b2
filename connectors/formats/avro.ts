// The `avro` format: Avro binary records whose schema is derived from the table's columns as Flink derives it
// (nullable columns become ["null", T] unions, DECIMAL is bytes with the decimal logical type, timestamps are
// longs with timestamp-millis/-micros). Encoding and decoding go through avsc; longs stay exact as bigint.
import avro from 'avsc';
import { RowKind, type LogicalType, type Schema, type Value } from '../../executor/index.js';
import { FormatError, type RecordFormat } from './format.js';

/** avsc's long as bigint: its default number long refuses values beyond 2^53, and BIGINT must stay exact. */
const exactLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (x: number | string) => BigInt(x),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

type AvroSchema = string | { readonly [k: string]: unknown } | readonly AvroSchema[];

/** Avro schema of a type, without nullability. Record names are numbered so nested rows never clash. */
function avroType(t: LogicalType, name: string, counter: { n: number }): AvroSchema {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'CHAR':
    case 'VARCHAR':
      return 'string';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytes';
    case 'DECIMAL':
      return { type: 'bytes', logicalType: 'decimal', precision: t.precision, scale: t.scale };
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return { type: 'long', logicalType: t.precision > 3 ? 'timestamp-micros' : 'timestamp-millis' };
    case 'ARRAY':
      return { type: 'array', items: nullable(t.element, `${name}_element`, counter) };
    case 'MAP':
      if (t.key.kind !== 'VARCHAR' && t.key.kind !== 'CHAR') throw new Error(`the avro format supports MAP keys of type STRING only (column '${name}')`);
      return { type: 'map', values: nullable(t.value, `${name}_value`, counter) };
    case 'ROW':
      return { type: 'record', name: `record_${counter.n++}`, fields: t.fields.map((f) => ({ name: f.name, type: nullable(f.type, f.name, counter) })) };
    case 'INTERVAL':
    case 'NULL':
      throw new Error(`the avro format does not support columns of type ${t.kind} (column '${name}')`);
  }
}

function nullable(t: LogicalType, name: string, counter: { n: number }): AvroSchema {
  const s = avroType(t, name, counter);
  return t.nullable ? ['null', s] : s;
}

/** The Avro record schema Flink would derive for these columns (top-level record named `record`). */
export function avroSchemaOf(schema: Schema): AvroSchema {
  const counter = { n: 0 };
  return { type: 'record', name: 'record', fields: schema.fields.map((f) => ({ name: f.name, type: nullable(f.type, f.name, counter) })) };
}

/** Unscaled decimal to two's-complement big-endian bytes (Avro's decimal encoding). */
function decimalBytes(v: bigint): Buffer {
  let hex = (v < 0n ? (1n << BigInt(8 * byteLength(v))) + v : v).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const buf = Buffer.from(hex, 'hex');
  const need = byteLength(v);
  return buf.length >= need ? buf : Buffer.concat([Buffer.alloc(need - buf.length, v < 0n ? 0xff : 0), buf]);
}

function byteLength(v: bigint): number {
  let n = 1;
  while (v >= 1n << BigInt(8 * n - 1) || v < -(1n << BigInt(8 * n - 1))) n++;
  return n;
}

function fromDecimalBytes(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  const u = BigInt(`0x${Buffer.from(b).toString('hex')}`);
  return (b[0] as number) & 0x80 ? u - (1n << BigInt(8 * b.length)) : u;
}

/** Engine value → the JS value avsc writes for the derived schema (a union takes the branch's plain value). */
function toAvro(v: Value, t: LogicalType): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(v as Uint8Array);
    case 'DECIMAL':
      return decimalBytes(v as bigint);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return t.precision > 3 ? (v as bigint) / 1000n : BigInt(v as number);
    case 'ARRAY':
      return (v as Value[]).map((e) => toAvro(e, t.element));
    case 'MAP':
      return Object.fromEntries([...(v as Map<Value, Value>)].map(([k, x]) => [k as string, toAvro(x, t.value)]));
    case 'ROW':
      return Object.fromEntries(t.fields.map((f, i) => [f.name, toAvro((v as Value[])[i] ?? null, f.type)]));
    default:
      return v;
  }
}

function fromAvro(v: unknown, t: LogicalType): Value {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return new Uint8Array(v as Buffer);
    case 'DECIMAL':
      return fromDecimalBytes(v as Buffer);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return t.precision > 3 ? (v as bigint) * 1000n : Number(v as bigint);
    case 'ARRAY':
      return (v as unknown[]).map((e) => fromAvro(e, t.element));
    case 'MAP':
      return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromAvro(x, t.value)]));
    case 'ROW':
      return t.fields.map((f) => fromAvro((v as Record<string, unknown>)[f.name], f.type));
    default:
      return v as Value;
  }
}

function avroTypeOf(schema: Schema): avro.Type {
  // wrapUnions false: a ["null", T] union reads and writes as the plain value, the shape toAvro/fromAvro use.
  return avro.Type.forSchema(avroSchemaOf(schema) as avro.Schema, { registry: { long: exactLong }, wrapUnions: false });
}

export const avroFormat: RecordFormat = {
  name: 'avro',
  changelog: false,
  options: [],
  validate(schema) {
    avroTypeOf(schema);
  },
  decoder(schema) {
    const type = avroTypeOf(schema);
    return {
      ignoreParseErrors: false,
      decode(bytes, emit) {
        let rec: Record<string, unknown>;
        try {
          rec = type.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Record<string, unknown>;
        } catch (e) {
          throw new FormatError(`malformed Avro record (${(e as Error).message})`);
        }
        emit(
          RowKind.INSERT,
          schema.fields.map((f) => fromAvro(rec[f.name], f.type)),
        );
      },
    };
  },
  encoder(schema) {
    const type = avroTypeOf(schema);
    return {
      encode(_kind, row) {
        const rec = Object.fromEntries(schema.fields.map((f, i) => [f.name, toAvro(row[i] ?? null, f.type)]));
        try {
          return new Uint8Array(type.toBuffer(rec));
        } catch (e) {
          throw new FormatError(`cannot write the row as Avro (${(e as Error).message})`);
        }
      },
    };
  },
};
