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

/**
 * The Avro schema of one type and the conversions of its values. Nullable types are ["null", T] unions, which
 * avsc reads and writes wrapped ({branch: value}): unwrapped unions pick the branch by JS type and have none for
 * bigint, so exact longs need the wrapped form.
 */
interface AvroField {
  readonly schema: AvroSchema;
  readonly to: (v: Value) => unknown;
  readonly from: (x: unknown) => Value;
}

const same = (v: unknown): Value => v as Value;

/** The field for a type without its nullability. Record names are numbered so nested rows never clash. */
function plain(t: LogicalType, name: string, counter: { n: number }): AvroField & { readonly branch: string } {
  const prim = (schema: string, to: (v: Value) => unknown = (v) => v, from: (x: unknown) => Value = same): AvroField & { branch: string } => ({ schema, branch: schema, to, from });
  switch (t.kind) {
    case 'BOOLEAN':
      return prim('boolean');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return prim('int');
    case 'BIGINT':
      return prim('long');
    case 'FLOAT':
      return prim('float');
    case 'DOUBLE':
      return prim('double');
    case 'CHAR':
    case 'VARCHAR':
      return prim('string');
    case 'BINARY':
    case 'VARBINARY':
      return prim(
        'bytes',
        (v) => Buffer.from(v as Uint8Array),
        (x) => new Uint8Array(x as Buffer),
      );
    case 'DECIMAL':
      return { schema: { type: 'bytes', logicalType: 'decimal', precision: t.precision, scale: t.scale }, branch: 'bytes', to: (v) => decimalBytes(v as bigint), from: (x) => fromDecimalBytes(x as Buffer) };
    case 'DATE':
      return { schema: { type: 'int', logicalType: 'date' }, branch: 'int', to: (v) => v, from: same };
    case 'TIME':
      return { schema: { type: 'int', logicalType: 'time-millis' }, branch: 'int', to: (v) => v, from: same };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const micros = t.precision > 3;
      return {
        schema: { type: 'long', logicalType: micros ? 'timestamp-micros' : 'timestamp-millis' },
        branch: 'long',
        to: (v) => (micros ? (v as bigint) / 1000n : BigInt(v as number)),
        from: (x) => (micros ? (x as bigint) * 1000n : Number(x as bigint)),
      };
    }
    case 'ARRAY': {
      const e = field(t.element, `${name}_element`, counter);
      return { schema: { type: 'array', items: e.schema }, branch: 'array', to: (v) => (v as Value[]).map(e.to), from: (x) => (x as unknown[]).map(e.from) };
    }
    case 'MAP': {
      if (t.key.kind !== 'VARCHAR' && t.key.kind !== 'CHAR') throw new Error(`the avro format supports MAP keys of type STRING only (column '${name}')`);
      const e = field(t.value, `${name}_value`, counter);
      return {
        schema: { type: 'map', values: e.schema },
        branch: 'map',
        to: (v) => Object.fromEntries([...(v as Map<Value, Value>)].map(([k, x]) => [k as string, e.to(x)])),
        from: (x) => new Map(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, e.from(y)])),
      };
    }
    case 'ROW': {
      const recordName = `record_${counter.n++}`;
      const fields = t.fields.map((f) => ({ name: f.name, ...field(f.type, f.name, counter) }));
      return {
        schema: { type: 'record', name: recordName, fields: fields.map((f) => ({ name: f.name, type: f.schema })) },
        branch: recordName,
        to: (v) => Object.fromEntries(fields.map((f, i) => [f.name, f.to((v as Value[])[i] ?? null)])),
        from: (x) => fields.map((f) => f.from((x as Record<string, unknown>)[f.name])),
      };
    }
    case 'INTERVAL':
    case 'NULL':
      throw new Error(`the avro format does not support columns of type ${t.kind} (column '${name}')`);
  }
}

function field(t: LogicalType, name: string, counter: { n: number }): AvroField {
  const p = plain(t, name, counter);
  if (!t.nullable) return { schema: p.schema, to: (v) => p.to(v), from: (x) => p.from(x) };
  return {
    schema: ['null', p.schema],
    to: (v) => (v === null ? null : { [p.branch]: p.to(v) }),
    from: (x) => (x === null || x === undefined ? null : p.from(Object.values(x as Record<string, unknown>)[0])),
  };
}

/** The Avro record schema Flink would derive for these columns (top-level record named `record`), with codecs. */
export function avroRecordOf(schema: Schema): { readonly schema: AvroSchema; readonly fields: readonly AvroField[] } {
  const counter = { n: 0 };
  const fields = schema.fields.map((f) => field(f.type, f.name, counter));
  return { schema: { type: 'record', name: 'record', fields: schema.fields.map((f, i) => ({ name: f.name, type: (fields[i] as AvroField).schema })) }, fields };
}

/** Unscaled decimal to two's-complement big-endian bytes (Avro's decimal encoding). */
function decimalBytes(v: bigint): Buffer {
  const n = byteLength(v);
  let hex = (v < 0n ? (1n << BigInt(8 * n)) + v : v).toString(16);
  hex = hex.padStart(2 * n, v < 0n ? 'f' : '0');
  return Buffer.from(hex, 'hex');
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

function avroCodec(schema: Schema): { type: avro.Type; fields: readonly AvroField[] } {
  const rec = avroRecordOf(schema);
  // The registry covers 'long'; the hook covers {type: 'long', logicalType: …} (timestamps), which avsc builds anew.
  const typeHook = (s: avro.Schema): avro.Type | undefined => (typeof s === 'object' && !Array.isArray(s) && (s as { type?: unknown }).type === 'long' ? exactLong : undefined);
  return { type: avro.Type.forSchema(rec.schema as avro.Schema, { registry: { long: exactLong }, wrapUnions: true, typeHook }), fields: rec.fields };
}

export const avroFormat: RecordFormat = {
  name: 'avro',
  changelog: false,
  options: [],
  validate(schema) {
    avroCodec(schema);
  },
  decoder(schema) {
    const { type, fields } = avroCodec(schema);
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
          schema.fields.map((f, i) => (fields[i] as AvroField).from(rec[f.name])),
        );
      },
    };
  },
  encoder(schema) {
    const { type, fields } = avroCodec(schema);
    return {
      encode(_kind, row) {
        const rec = Object.fromEntries(schema.fields.map((f, i) => [f.name, (fields[i] as AvroField).to(row[i] ?? null)]));
        try {
          return new Uint8Array(type.toBuffer(rec));
        } catch (e) {
          throw new FormatError(`cannot write the row as Avro (${(e as Error).message})`);
        }
      },
    };
  },
};
