// Columns: the physical layout of one field of a micro-batch. Each logical type maps to a typed-array layout
// that Arrow can share without copying where the layouts agree (see arrow.ts for the exceptions).
//
//   BOOLEAN                          bool   Uint8Array, one byte per value (Arrow packs bits: converted at the edge)
//   TINYINT / SMALLINT / INT         i8 / i16 / i32
//   DATE (days), TIME (ms of day),
//   INTERVAL YEAR TO MONTH (months)  i32
//   FLOAT / DOUBLE                   f32 / f64
//   BIGINT, DECIMAL (unscaled),      f64 holding exact integers (|v| <= 2^53), the fast path for arithmetic;
//   INTERVAL DAY TO SECOND (ms),     i64 (BigInt64Array) for BIGINT and big (bigint[]) for DECIMAL when any value
//   TIMESTAMP(p <= 3) (epoch ms)     of the batch is outside the exact-double range. Never silently rounded.
//   TIMESTAMP(p > 3)                 ts     epoch ms in f64 plus nanos-of-millisecond in Int32Array
//   CHAR / VARCHAR                   str    string[] (JS strings; UTF-8 encoded only at process edges)
//   BINARY / VARBINARY               bin    Uint8Array[]
//   ROW                              struct one child column per field
//   ARRAY                            list   Int32Array offsets + child column (Arrow List layout)
//   MAP                              map    Int32Array offsets + key and value columns (Arrow Map layout)
//
// Every column has a validity bitmap (validity.ts) or null when it holds no nulls.
import { unreachable, type LogicalType } from '../types/logical-type.js';
import { allValid, isValid, setValid, validityBytes } from './validity.js';

interface Base {
  validity: Uint8Array | null;
}

export type Column =
  | (Base & { kind: 'bool'; values: Uint8Array })
  | (Base & { kind: 'i8'; values: Int8Array })
  | (Base & { kind: 'i16'; values: Int16Array })
  | (Base & { kind: 'i32'; values: Int32Array })
  | (Base & { kind: 'f32'; values: Float32Array })
  | (Base & { kind: 'f64'; values: Float64Array })
  | (Base & { kind: 'i64'; values: BigInt64Array })
  | (Base & { kind: 'big'; values: bigint[] })
  | (Base & { kind: 'ts'; values: Float64Array; nanos: Int32Array })
  | (Base & { kind: 'str'; values: string[] })
  | (Base & { kind: 'bin'; values: Uint8Array[] })
  | (Base & { kind: 'struct'; children: Column[] })
  | (Base & { kind: 'list'; offsets: Int32Array; child: Column })
  | (Base & { kind: 'map'; offsets: Int32Array; keys: Column; values: Column });

export type ColumnKind = Column['kind'];

const TWO_53 = 2 ** 53;
const MAX_EXACT = 2n ** 53n;
const MIN_EXACT = -(2n ** 53n);
const MAX_I64 = 2n ** 63n;

/**
 * The value of one cell as the engine sees it outside the hot path (conversions, results, tests):
 * BOOLEAN boolean; TINYINT..INT, FLOAT, DOUBLE number; BIGINT bigint; DECIMAL bigint (unscaled, the scale is in
 * the type); CHAR/VARCHAR string; BINARY Uint8Array; DATE number (days since 1970-01-01); TIME number (ms of
 * day); TIMESTAMP(p<=3) number (epoch ms); TIMESTAMP(p>3) bigint (epoch ns); INTERVAL number (months or ms);
 * ARRAY value[]; MAP Map; ROW value[] (positional); any NULL null.
 */
export type Value =
  null | boolean | number | bigint | string | Uint8Array | readonly Value[] | ReadonlyMap<Value, Value>;

/** Whether TIMESTAMP values of this type carry nanoseconds (p > 3) and so live in a `ts` column. */
export function hasNanos(t: LogicalType): boolean {
  return (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && t.precision > 3;
}

/** Reads one cell. Not for hot paths: operators read the typed arrays directly. */
export function getValue(c: Column, type: LogicalType, i: number): Value {
  if (!isValid(c.validity, i)) return null;
  switch (c.kind) {
    case 'bool':
      return c.values[i] !== 0;
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
      return c.values[i] as number;
    case 'f64': {
      const v = c.values[i] as number;
      return type.kind === 'BIGINT' || type.kind === 'DECIMAL' ? BigInt(v) : v;
    }
    case 'i64':
    case 'big':
      return c.values[i] as bigint;
    case 'ts':
      return BigInt(c.values[i] as number) * 1_000_000n + BigInt(c.nanos[i] as number);
    case 'str':
    case 'bin':
      return c.values[i] as string | Uint8Array;
    case 'struct': {
      if (type.kind !== 'ROW') throw new TypeError(`struct column read as ${type.kind}`);
      return c.children.map((child, f) => getValue(child, (type.fields[f] as { type: LogicalType }).type, i));
    }
    case 'list': {
      if (type.kind !== 'ARRAY') throw new TypeError(`list column read as ${type.kind}`);
      const out: Value[] = [];
      for (let j = c.offsets[i] as number; j < (c.offsets[i + 1] as number); j++)
        out.push(getValue(c.child, type.element, j));
      return out;
    }
    case 'map': {
      if (type.kind !== 'MAP') throw new TypeError(`map column read as ${type.kind}`);
      const out = new Map<Value, Value>();
      for (let j = c.offsets[i] as number; j < (c.offsets[i + 1] as number); j++) {
        out.set(getValue(c.keys, type.key, j), getValue(c.values, type.value, j));
      }
      return out;
    }
    default:
      return unreachable(c);
  }
}

/**
 * Builds one column from values of a logical type. Grows geometrically; `finish()` trims to the length.
 * BIGINT and DECIMAL start on the exact-double layout and switch to the wide layout the first time a value
 * does not fit, so a batch is wide only when it has to be.
 */
export class ColumnBuilder {
  readonly type: LogicalType;
  private length = 0;
  private capacity: number;
  private validity: Uint8Array | null = null;
  private num: Float64Array | Int32Array | Int16Array | Int8Array | Float32Array | Uint8Array | null = null;
  private wide: BigInt64Array | bigint[] | null = null;
  private nanos: Int32Array | null = null;
  private objs: Array<string | Uint8Array> | null = null;
  private children: ColumnBuilder[] | null = null;
  private offsets: number[] | null = null;

  constructor(type: LogicalType, capacity = 1024) {
    this.type = type;
    this.capacity = Math.max(1, capacity);
    switch (type.kind) {
      case 'BOOLEAN':
        this.num = new Uint8Array(this.capacity);
        break;
      case 'TINYINT':
        this.num = new Int8Array(this.capacity);
        break;
      case 'SMALLINT':
        this.num = new Int16Array(this.capacity);
        break;
      case 'INT':
      case 'DATE':
      case 'TIME':
        this.num = new Int32Array(this.capacity);
        break;
      case 'INTERVAL':
        this.num =
          type.family === 'YEAR_MONTH' ? new Int32Array(this.capacity) : new Float64Array(this.capacity);
        break;
      case 'FLOAT':
        this.num = new Float32Array(this.capacity);
        break;
      case 'DOUBLE':
      case 'BIGINT':
      case 'DECIMAL':
        this.num = new Float64Array(this.capacity);
        break;
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
        this.num = new Float64Array(this.capacity);
        if (type.precision > 3) this.nanos = new Int32Array(this.capacity);
        break;
      case 'CHAR':
      case 'VARCHAR':
      case 'BINARY':
      case 'VARBINARY':
        this.objs = [];
        break;
      case 'ROW':
        this.children = type.fields.map((f) => new ColumnBuilder(f.type, capacity));
        break;
      case 'ARRAY':
        this.children = [new ColumnBuilder(type.element, capacity)];
        this.offsets = [0];
        break;
      case 'MAP':
        this.children = [new ColumnBuilder(type.key, capacity), new ColumnBuilder(type.value, capacity)];
        this.offsets = [0];
        break;
      case 'NULL':
        this.num = new Uint8Array(this.capacity);
        break;
      default:
        unreachable(type);
    }
  }

  get size(): number {
    return this.length;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const grown = <T extends { length: number; set(a: ArrayLike<number | bigint>): void }>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(cap);
      b.set(a as unknown as ArrayLike<number>);
      return b;
    };
    if (this.num !== null) {
      const ctor = this.num.constructor as new (n: number) => typeof this.num;
      this.num = grown(this.num, (n) => new ctor(n) as NonNullable<typeof this.num>);
    }
    if (this.wide instanceof BigInt64Array) this.wide = grown(this.wide, (n) => new BigInt64Array(n));
    if (this.nanos !== null) this.nanos = grown(this.nanos, (n) => new Int32Array(n));
    if (this.validity !== null) {
      const v = new Uint8Array(validityBytes(cap));
      v.set(this.validity);
      this.validity = v;
    }
    this.capacity = cap;
  }

  appendNull(): void {
    if (this.length === this.capacity) this.grow();
    if (this.validity === null) this.validity = allValid(this.length, this.capacity);
    setValid(this.validity, this.length, false);
    this.pushPlaceholder();
    this.length++;
  }

  /** Appends one value in the representation documented on `Value`. */
  append(v: Value): void {
    if (v === null) {
      this.appendNull();
      return;
    }
    if (this.length === this.capacity) this.grow();
    if (this.validity !== null) setValid(this.validity, this.length, true);
    const t = this.type;
    const i = this.length;
    switch (t.kind) {
      case 'BOOLEAN':
        (this.num as Uint8Array)[i] = v === true ? 1 : 0;
        break;
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'DATE':
      case 'TIME':
      case 'FLOAT':
      case 'DOUBLE':
      case 'INTERVAL':
        (this.num as Float64Array)[i] = Number(v);
        break;
      case 'BIGINT':
      case 'DECIMAL':
        // An exact-double value goes straight in: no BigInt is made for it (the common case on hot paths).
        if (typeof v === 'number' && this.wide === null && Number.isInteger(v) && v >= -TWO_53 && v <= TWO_53)
          (this.num as Float64Array)[i] = v;
        else this.appendExact(typeof v === 'bigint' ? v : BigInt(v as number));
        break;
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
        if (this.nanos !== null) {
          const ns = typeof v === 'bigint' ? v : BigInt(v as number) * 1_000_000n;
          const ms = floorDiv(ns, 1_000_000n);
          (this.num as Float64Array)[i] = Number(ms);
          this.nanos[i] = Number(ns - ms * 1_000_000n);
        } else {
          (this.num as Float64Array)[i] = Number(v);
        }
        break;
      case 'CHAR':
      case 'VARCHAR':
      case 'BINARY':
      case 'VARBINARY':
        (this.objs as Array<string | Uint8Array>).push(v as string | Uint8Array);
        break;
      case 'ROW': {
        const fields = v as readonly Value[];
        (this.children as ColumnBuilder[]).forEach((c, f) => c.append(fields[f] ?? null));
        break;
      }
      case 'ARRAY': {
        const child = (this.children as ColumnBuilder[])[0] as ColumnBuilder;
        for (const e of v as readonly Value[]) child.append(e);
        (this.offsets as number[]).push(child.size);
        break;
      }
      case 'MAP': {
        const [k, val] = this.children as [ColumnBuilder, ColumnBuilder];
        for (const [mk, mv] of v as ReadonlyMap<Value, Value>) {
          k.append(mk);
          val.append(mv);
        }
        (this.offsets as number[]).push(k.size);
        break;
      }
      case 'NULL':
        throw new TypeError('a NULL-typed column holds only nulls');
      default:
        unreachable(t);
    }
    this.length++;
  }

  private appendExact(v: bigint): void {
    const i = this.length;
    if (this.wide === null) {
      if (v >= MIN_EXACT && v <= MAX_EXACT) {
        (this.num as Float64Array)[i] = Number(v);
        return;
      }
      this.widen();
    }
    const w = this.wide as BigInt64Array | bigint[];
    if (w instanceof BigInt64Array) {
      if (v < -MAX_I64 || v >= MAX_I64) throw new RangeError(`BIGINT overflow: ${v}`);
      w[i] = v;
    } else {
      w[i] = v;
    }
  }

  private widen(): void {
    const src = this.num as Float64Array;
    if (this.type.kind === 'BIGINT') {
      const w = new BigInt64Array(this.capacity);
      for (let j = 0; j < this.length; j++) w[j] = BigInt(src[j] as number);
      this.wide = w;
    } else {
      const w: bigint[] = [];
      for (let j = 0; j < this.length; j++) w.push(BigInt(src[j] as number));
      this.wide = w;
    }
    this.num = null;
  }

  private pushPlaceholder(): void {
    const t = this.type;
    switch (t.kind) {
      case 'CHAR':
      case 'VARCHAR':
        (this.objs as string[]).push('');
        break;
      case 'BINARY':
      case 'VARBINARY':
        (this.objs as Uint8Array[]).push(EMPTY_BYTES);
        break;
      case 'ROW':
        for (const c of this.children as ColumnBuilder[]) c.appendNull();
        break;
      case 'ARRAY':
      case 'MAP':
        (this.offsets as number[]).push(((this.children as ColumnBuilder[])[0] as ColumnBuilder).size);
        break;
      case 'BIGINT':
      case 'DECIMAL':
        if (this.wide !== null) (this.wide as bigint[])[this.length] = 0n;
        else (this.num as Float64Array)[this.length] = 0;
        break;
      default:
        if (this.num !== null) this.num[this.length] = 0;
        if (this.nanos !== null) this.nanos[this.length] = 0;
    }
  }

  finish(): Column {
    const n = this.length;
    const validity = this.validity === null ? null : this.validity.slice(0, validityBytes(n));
    const t = this.type;
    switch (t.kind) {
      case 'BOOLEAN':
      case 'NULL':
        return { kind: 'bool', values: (this.num as Uint8Array).slice(0, n), validity };
      case 'TINYINT':
        return { kind: 'i8', values: (this.num as Int8Array).slice(0, n), validity };
      case 'SMALLINT':
        return { kind: 'i16', values: (this.num as Int16Array).slice(0, n), validity };
      case 'INT':
      case 'DATE':
      case 'TIME':
        return { kind: 'i32', values: (this.num as Int32Array).slice(0, n), validity };
      case 'INTERVAL':
        return t.family === 'YEAR_MONTH'
          ? { kind: 'i32', values: (this.num as Int32Array).slice(0, n), validity }
          : { kind: 'f64', values: (this.num as Float64Array).slice(0, n), validity };
      case 'FLOAT':
        return { kind: 'f32', values: (this.num as Float32Array).slice(0, n), validity };
      case 'DOUBLE':
        return { kind: 'f64', values: (this.num as Float64Array).slice(0, n), validity };
      case 'BIGINT':
      case 'DECIMAL':
        if (this.wide === null)
          return { kind: 'f64', values: (this.num as Float64Array).slice(0, n), validity };
        if (this.wide instanceof BigInt64Array)
          return { kind: 'i64', values: this.wide.slice(0, n), validity };
        return { kind: 'big', values: this.wide.slice(0, n), validity };
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
        if (this.nanos !== null) {
          return {
            kind: 'ts',
            values: (this.num as Float64Array).slice(0, n),
            nanos: this.nanos.slice(0, n),
            validity,
          };
        }
        return { kind: 'f64', values: (this.num as Float64Array).slice(0, n), validity };
      case 'CHAR':
      case 'VARCHAR':
        return { kind: 'str', values: this.objs as string[], validity };
      case 'BINARY':
      case 'VARBINARY':
        return { kind: 'bin', values: this.objs as Uint8Array[], validity };
      case 'ROW':
        return {
          kind: 'struct',
          children: (this.children as ColumnBuilder[]).map((c) => c.finish()),
          validity,
        };
      case 'ARRAY':
        return {
          kind: 'list',
          offsets: Int32Array.from(this.offsets as number[]),
          child: ((this.children as ColumnBuilder[])[0] as ColumnBuilder).finish(),
          validity,
        };
      case 'MAP': {
        const [k, v] = this.children as [ColumnBuilder, ColumnBuilder];
        return {
          kind: 'map',
          offsets: Int32Array.from(this.offsets as number[]),
          keys: k.finish(),
          values: v.finish(),
          validity,
        };
      }
      default:
        return unreachable(t);
    }
  }
}

const EMPTY_BYTES = new Uint8Array(0);

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * A column of `n` values taken at the given row indices (filters, repartitioning). Flat layouts are gathered
 * straight from their typed arrays; nested ones go through the builder.
 */
export function takeColumn(c: Column, type: LogicalType, rows: Int32Array, n = rows.length): Column {
  const validity = c.validity === null ? null : takeValidity(c.validity, rows, n);
  switch (c.kind) {
    case 'bool':
      return { kind: 'bool', values: gather(c.values, new Uint8Array(n), rows, n), validity };
    case 'i8':
      return { kind: 'i8', values: gather(c.values, new Int8Array(n), rows, n), validity };
    case 'i16':
      return { kind: 'i16', values: gather(c.values, new Int16Array(n), rows, n), validity };
    case 'i32':
      return { kind: 'i32', values: gather(c.values, new Int32Array(n), rows, n), validity };
    case 'f32':
      return { kind: 'f32', values: gather(c.values, new Float32Array(n), rows, n), validity };
    case 'f64':
      return { kind: 'f64', values: gather(c.values, new Float64Array(n), rows, n), validity };
    case 'ts':
      return {
        kind: 'ts',
        values: gather(c.values, new Float64Array(n), rows, n),
        nanos: gather(c.nanos, new Int32Array(n), rows, n),
        validity,
      };
    case 'i64': {
      const out = new BigInt64Array(n);
      for (let j = 0; j < n; j++) out[j] = c.values[rows[j] as number] as bigint;
      return { kind: 'i64', values: out, validity };
    }
    case 'big':
    case 'str':
    case 'bin': {
      const out = new Array<never>(n);
      for (let j = 0; j < n; j++) out[j] = c.values[rows[j] as number] as never;
      return { ...c, values: out, validity } as Column;
    }
    default: {
      const b = new ColumnBuilder(type, n);
      for (let j = 0; j < n; j++) b.append(getValue(c, type, rows[j] as number));
      return b.finish();
    }
  }
}

function gather<T extends { [i: number]: number; length: number }>(
  src: T,
  dst: T,
  rows: Int32Array,
  n: number,
): T {
  for (let j = 0; j < n; j++) dst[j] = src[rows[j] as number] as number;
  return dst;
}

function takeValidity(v: Uint8Array, rows: Int32Array, n: number): Uint8Array | null {
  const out = new Uint8Array(validityBytes(n));
  let nulls = 0;
  for (let j = 0; j < n; j++) {
    const r = rows[j] as number;
    if (((v[r >>> 3] as number) >>> (r & 7)) & 1) out[j >>> 3] |= 1 << (j & 7);
    else nulls++;
  }
  return nulls === 0 ? null : out;
}
