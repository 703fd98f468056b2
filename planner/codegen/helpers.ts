// Functions the generated code calls for the rare or complicated cases (casts, decimal rescaling, LIKE
// patterns). Passed in as `H`, never looked up by name from user text. Hot arithmetic is inlined instead.
import {
  ColumnBuilder,
  MAX_LENGTH,
  formatType,
  getValue,
  hasNanos,
  makeBatch,
  type Column,
  type LogicalType,
  type Schema,
  type Value,
} from '../../executor/index.js';
import { formatValueText, parseTemporal } from '../../executor/index.js';
import { F } from './functions.js';

/** Raised inside exact-double code when a BIGINT/DECIMAL result leaves the safe range: rerun the batch on BigInt. */
export class WidenSignal extends Error {
  constructor() {
    super('widen');
  }
}
export const WIDEN = new WidenSignal();

/** A runtime failure of an expression (division by zero, bad cast): fails the job with a clear message. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const POW10 = Array.from({ length: 39 }, (_, i) => 10n ** BigInt(i));
const POW10N = Array.from({ length: 16 }, (_, i) => 10 ** i);

const EMPTY_BYTES = new Uint8Array(0);
const MAX_SAFE = 9007199254740991n;

/**
 * A Value (the engine's cell representation) in the code generator's representation of its type: BIGINT and
 * DECIMAL as exact doubles in 'num' mode (WIDEN when they do not fit), TIMESTAMP(p > 3) as epoch ms.
 */
function fromValue(v: Value, t: LogicalType, big: boolean): unknown {
  if (v === null) return null;
  if (t.kind === 'BIGINT' || t.kind === 'DECIMAL') {
    const b = typeof v === 'bigint' ? v : BigInt(v as number);
    if (big) return b;
    if (b > MAX_SAFE || b < -MAX_SAFE) throw WIDEN;
    return Number(b);
  }
  if (hasNanos(t) && typeof v === 'bigint') {
    const ms = v / 1_000_000n;
    return Number(v % 1_000_000n < 0n ? ms - 1n : ms);
  }
  return v;
}

/** The inverse of fromValue: what user functions receive and nested values hold. */
function toValue(v: unknown, t: LogicalType): Value {
  if (v === null || v === undefined) return null;
  if (t.kind === 'BIGINT' || t.kind === 'DECIMAL') return typeof v === 'bigint' ? v : BigInt(v as number);
  if (hasNanos(t) && typeof v === 'number') return BigInt(v) * 1_000_000n;
  return v as Value;
}

export const H = {
  WIDEN,
  F,
  EMPTY: EMPTY_BYTES,
  fromValue,
  toValue,
  /** Materializes one nested cell (ROW, ARRAY, MAP) of an input column as a Value. */
  getValue(c: Column, t: LogicalType, i: number): Value {
    return getValue(c, t, i);
  },
  /** The output column of a nested (or otherwise object-valued) computed expression. */
  buildColumn(t: LogicalType, values: readonly Value[], validity: Uint8Array | null, n: number): Column {
    const b = new ColumnBuilder(t, Math.max(1, n));
    for (let j = 0; j < n; j++) {
      const valid = validity === null || ((validity[j >>> 3] as number) >>> (j & 7)) & 1;
      b.append(valid ? (values[j] ?? null) : null);
    }
    return b.finish();
  },
  /** Calls a user-defined function; its failure fails the job with the function's name. */
  udf(name: string, fn: (...args: Value[]) => Value, args: Value[]): Value {
    try {
      const r = fn(...args);
      return r === undefined ? null : r;
    } catch (e) {
      throw new ExpressionError(`user-defined function ${name} failed: ${(e as Error).message}`);
    }
  },
  element(a: readonly Value[]): Value {
    if (a.length > 1) throw new ExpressionError(`ELEMENT of an array with ${a.length} elements (at most one is allowed)`);
    return a.length === 0 ? null : (a[0] as Value);
  },
  item(container: Value, key: unknown, isMap: boolean): Value {
    if (isMap) {
      const m = container as ReadonlyMap<Value, Value>;
      for (const [k, v] of m) if (k === key || (typeof k === 'bigint' && typeof key !== 'object' && k === BigInt(key as number))) return v;
      return null;
    }
    const a = container as readonly Value[];
    const i = key as number;
    return i >= 1 && i <= a.length ? (a[i - 1] as Value) : null;
  },
  cardinality(container: Value): number {
    return container instanceof Map ? container.size : (container as readonly Value[]).length;
  },
  allValid(n: number): Uint8Array {
    const v = new Uint8Array((n + 7) >>> 3);
    v.fill(0xff);
    return v;
  },
  makeBatch(schema: Schema, columns: Column[], n: number, kinds: Uint8Array) {
    return makeBatch(schema, columns, n, kinds);
  },
  divZero(): never {
    throw new ExpressionError('division by zero');
  },
  /** Rescale an exact-double unscaled decimal by 10^d (d may be negative: HALF_UP rounding, as Flink). */
  rescaleNum(v: number, d: number): number {
    if (d === 0) return v;
    if (d > 0) {
      const r = v * (POW10N[d] ?? 10 ** d);
      if (!Number.isSafeInteger(r)) throw WIDEN;
      return r;
    }
    const f = POW10N[-d] ?? 10 ** -d;
    const q = Math.trunc(v / f);
    const rem = v - q * f;
    return Math.abs(rem) * 2 >= f ? q + Math.sign(v) : q;
  },
  rescaleBig(v: bigint, d: number): bigint {
    if (d === 0) return v;
    if (d > 0) return v * (POW10[d] as bigint);
    const f = POW10[-d] as bigint;
    const q = v / f;
    const rem = v - q * f;
    const twice = (rem < 0n ? -rem : rem) * 2n;
    return twice >= f ? q + (v < 0n ? -1n : 1n) : q;
  },
  /** DECIMAL division a/b with result scale s (HALF_UP). */
  decDiv(a: bigint, sa: number, b: bigint, sb: number, s: number): bigint {
    if (b === 0n) throw new ExpressionError('division by zero');
    // a/10^sa / (b/10^sb) * 10^s = a * 10^(s - sa + sb) / b, computed with one extra digit for rounding.
    const shift = s - sa + sb;
    const num = shift >= 0 ? a * (POW10[shift + 1] as bigint) : a / (POW10[-shift - 1] as bigint);
    const q = num / b;
    const last = q % 10n;
    const base = q / 10n;
    if (last >= 5n) return base + 1n;
    if (last <= -5n) return base - 1n;
    return base;
  },
  /** DECIMAL MOD on operands brought to one scale (the sign follows the dividend, as Java's BigDecimal). */
  decMod(a: bigint, da: number, b: bigint, db: number): bigint {
    const d = H.rescaleBig(b, db);
    if (d === 0n) throw new ExpressionError('division by zero');
    return H.rescaleBig(a, da) % d;
  },
  wrap64(v: bigint): bigint {
    return BigInt.asIntN(64, v);
  },
  like(value: string, pattern: string, escape: string | null): boolean {
    return likeRegex(pattern, escape).test(value);
  },
  /** CAST for the combinations not inlined; values in the codegen representation of each type. */
  cast(v: unknown, from: LogicalType, to: LogicalType, big: boolean): unknown {
    return castValue(v, from, to, big);
  },
  trim(s: string): string {
    return s.replace(/^ +| +$/g, '');
  },
  charLength(s: string): number {
    let n = 0;
    for (const _ of s) n++;
    return n;
  },
};

const likeCache = new Map<string, RegExp>();
function likeRegex(pattern: string, escape: string | null): RegExp {
  const key = `${escape ?? ''}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re === undefined) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (escape !== null && c === escape) {
        const next = pattern[++i];
        if (next === undefined) throw new ExpressionError(`LIKE pattern '${pattern}' ends with the escape character`);
        src += next.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      } else if (c === '%') src += '[\\s\\S]*';
      else if (c === '_') src += '[\\s\\S]';
      else src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 'u');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(key, re);
  }
  return re;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** CAST of one non-NULL value, in the codegen representation of `from` to that of `to`; null = SQL NULL. */
function castValue(v: unknown, from: LogicalType, to: LogicalType, big: boolean): unknown {
  const fail = (): never => {
    throw new ExpressionError(`cannot cast ${formatValueText(toValue(v, from), from)} of type ${formatType(from)} to ${formatType(to)}`);
  };
  const toBig = (x: unknown): bigint => (typeof x === 'bigint' ? x : BigInt(x as number));
  const isStr = from.kind === 'VARCHAR' || from.kind === 'CHAR';
  switch (to.kind) {
    case 'VARCHAR':
    case 'CHAR': {
      const s = from.kind === 'BINARY' || from.kind === 'VARBINARY' ? decoder.decode(v as Uint8Array) : formatValueText(toValue(v, from), from);
      if (to.kind === 'CHAR') return s.length >= to.length ? s.slice(0, to.length) : s.padEnd(to.length, ' ');
      return to.length < MAX_LENGTH && s.length > to.length ? s.slice(0, to.length) : s;
    }
    case 'BOOLEAN':
      if (isStr) {
        const t = (v as string).trim().toLowerCase();
        if (t === 'true' || t === 't' || t === 'yes' || t === 'y' || t === '1') return true;
        if (t === 'false' || t === 'f' || t === 'no' || t === 'n' || t === '0') return false;
        return fail();
      }
      if (typeof v === 'boolean') return v;
      return typeof v === 'bigint' ? v !== 0n : (v as number) !== 0;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const bits = to.kind === 'TINYINT' ? 8 : to.kind === 'SMALLINT' ? 16 : to.kind === 'INT' ? 32 : 64;
      let n: bigint;
      if (isStr) {
        // Flink accepts surrounding blanks and a fractional part, which is dropped.
        const m = /^\s*([+-]?\d+)(?:\.\d*)?\s*$/.exec(v as string);
        if (m === null) return fail();
        n = BigInt(m[1] as string);
        if (n !== BigInt.asIntN(bits, n)) return fail();
      } else if (from.kind === 'DECIMAL') {
        n = toBig(v) / (POW10[from.scale] as bigint);
      } else if (from.kind === 'FLOAT' || from.kind === 'DOUBLE') {
        // Java's narrowing: NaN is 0, out-of-range values saturate to int/long, then (byte)/(short) wrap.
        const d = v as number;
        if (Number.isNaN(d)) n = 0n;
        else {
          const wide = bits === 64 ? 64 : 32;
          const max = 2 ** (wide - 1);
          n = d >= max ? BigInt.asIntN(wide, (1n << BigInt(wide - 1)) - 1n) : d <= -max ? -(1n << BigInt(wide - 1)) : BigInt(Math.trunc(d));
        }
      } else if (typeof v === 'boolean') {
        n = v ? 1n : 0n;
      } else {
        n = toBig(v);
      }
      const wrapped = BigInt.asIntN(bits, n);
      if (to.kind !== 'BIGINT') return Number(wrapped);
      if (big) return wrapped;
      if (wrapped > MAX_SAFE || wrapped < -MAX_SAFE) throw WIDEN;
      return Number(wrapped);
    }
    case 'FLOAT':
    case 'DOUBLE': {
      let d: number;
      if (isStr) {
        const t = (v as string).trim();
        d = Number(t);
        if (t === '' || (Number.isNaN(d) && t !== 'NaN')) return fail();
      } else if (from.kind === 'DECIMAL') d = Number(formatValueText(toBig(v), from));
      else if (typeof v === 'boolean') d = v ? 1 : 0;
      else d = Number(v);
      return to.kind === 'FLOAT' ? Math.fround(d) : d;
    }
    case 'DECIMAL': {
      let unscaled: bigint;
      if (isStr) {
        const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(v as string);
        if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return fail();
        unscaled = decimalFrom(m[1] === '-', (m[2] ?? '') + (m[3] ?? ''), (m[3] ?? '').length - Number(m[4] ?? 0), to.scale);
      } else if (from.kind === 'DECIMAL') {
        unscaled = H.rescaleBig(toBig(v), to.scale - from.scale);
      } else if (from.kind === 'FLOAT' || from.kind === 'DOUBLE') {
        const d = v as number;
        if (!Number.isFinite(d)) return fail();
        // Java's BigDecimal.valueOf(double): the shortest decimal form, then HALF_UP to the scale.
        const [mant, exp] = d.toExponential().split('e') as [string, string];
        const digits = mant.replace(/^-/, '').replace('.', '');
        unscaled = decimalFrom(mant.startsWith('-'), digits, digits.length - 1 - Number(exp), to.scale);
      } else if (typeof v === 'boolean') {
        unscaled = (v ? 1n : 0n) * (POW10[to.scale] as bigint);
      } else {
        unscaled = toBig(v) * (POW10[to.scale] as bigint);
      }
      // Flink returns NULL when the value does not fit the target precision.
      if ((unscaled < 0n ? -unscaled : unscaled) >= (POW10[to.precision] as bigint)) return null;
      if (big) return unscaled;
      if (unscaled > MAX_SAFE || unscaled < -MAX_SAFE) throw WIDEN;
      return Number(unscaled);
    }
    case 'DATE':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'TIME': {
      if (isStr) {
        const parsed = parseTemporal(v as string, to.kind);
        if (parsed === null) return fail();
        return parsed;
      }
      const ms = v as number;
      if (from.kind === 'TIMESTAMP' || from.kind === 'TIMESTAMP_LTZ') {
        if (to.kind === 'DATE') return Math.floor(ms / 86_400_000);
        if (to.kind === 'TIME') return ((ms % 86_400_000) + 86_400_000) % 86_400_000;
        return truncateMillis(ms, to.precision);
      }
      if (from.kind === 'DATE') return to.kind === 'DATE' ? ms : ms * 86_400_000;
      if (from.kind === 'TIME') return to.kind === 'TIME' ? truncateMillis(ms, to.precision) : ms;
      return fail();
    }
    case 'BINARY':
    case 'VARBINARY': {
      const bytes = isStr ? encoder.encode(v as string) : (v as Uint8Array);
      if (to.kind === 'BINARY' && bytes.length !== to.length) {
        const out = new Uint8Array(to.length);
        out.set(bytes.subarray(0, to.length));
        return out;
      }
      return to.length < MAX_LENGTH && bytes.length > to.length ? bytes.slice(0, to.length) : bytes;
    }
    case 'INTERVAL':
      return v;
    case 'ARRAY':
      if (from.kind !== 'ARRAY') return fail();
      return (v as readonly Value[]).map((e) => castElement(e, from.element, to.element));
    case 'MAP': {
      if (from.kind !== 'MAP') return fail();
      const out = new Map<Value, Value>();
      for (const [k, x] of v as ReadonlyMap<Value, Value>) out.set(castElement(k, from.key, to.key), castElement(x, from.value, to.value));
      return out;
    }
    case 'ROW':
      if (from.kind !== 'ROW') return fail();
      return (v as readonly Value[]).map((e, i) => castElement(e, (from.fields[i] as { type: LogicalType }).type, (to.fields[i] as { type: LogicalType }).type));
    case 'NULL':
      return null;
  }
}

/** Sub-millisecond digits are not kept (values are epoch ms); lower precisions truncate. */
function truncateMillis(ms: number, precision: number): number {
  if (precision >= 3) return ms;
  const f = 10 ** (3 - precision);
  return Math.floor(ms / f) * f;
}

/** CAST of an element of a nested value: Values in, Values out. */
function castElement(e: Value, from: LogicalType, to: LogicalType): Value {
  if (e === null) return null;
  return toValue(castValue(fromValue(e, from, true), from, to, true), to);
}

/** digits × 10^-scale as an unscaled decimal of `target` scale, HALF_UP. */
function decimalFrom(negative: boolean, digits: string, scale: number, target: number): bigint {
  let u = BigInt(digits === '' ? '0' : digits);
  if (target >= scale) u *= 10n ** BigInt(target - scale);
  else u = H.rescaleBig(u, target - scale);
  return negative ? -u : u;
}
