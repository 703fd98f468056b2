// SQL aggregate functions: the accumulators of a list of aggregate calls for one group, the counterpart of the
// AggsHandleFunction that Flink generates per aggregation. Takes the calls (with input column indices, FILTER
// and DISTINCT) and hands the group, window and two-phase operators one object that accumulates rows of a
// batch, retracts them, merges partial accumulators and writes the results into column builders.
//
// Accumulators are plain data (arrays, objects, Maps, bigints) so that operator snapshots are node:v8
// serialisations of them. Values inside accumulators are normalised: BIGINT and DECIMAL (unscaled) are numbers
// while they are exact doubles and bigints beyond, so that 5 and 5n are the same DISTINCT or MIN/MAX map key.
import type { RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, getValue, type Column, type Value } from '../batch/column.js';
import { allValid, isValid, setValid, validityBytes } from '../batch/validity.js';
import { toKey } from '../runtime/key.js';
import { formatType, type LogicalType } from '../types/logical-type.js';
import type { Schema } from '../types/schema.js';

export type AggKind =
  | 'COUNT'
  | 'SUM'
  | 'SUM0'
  | 'AVG'
  | 'MIN'
  | 'MAX'
  | 'FIRST_VALUE'
  | 'LAST_VALUE'
  | 'LISTAGG'
  | 'STDDEV_POP'
  | 'STDDEV_SAMP'
  | 'VAR_POP'
  | 'VAR_SAMP'
  | 'BOOL_AND'
  | 'BOOL_OR'
  /** A user-defined aggregate function (`udaf`), Flink's AggregateFunction. */
  | 'UDAF';

/**
 * A user-defined aggregate function as the runtime calls it (Flink's AggregateFunction<T, ACC>): the accumulator
 * is a mutable plain-data object (it is snapshotted with node:v8 serialisation, so class instances lose their
 * prototype on restore); `accumulate`/`retract` receive the argument Values (NULLs included, as Flink passes
 * them); `merge` folds other accumulators in (needed by window and two-phase aggregation).
 */
export interface UserAggregate {
  readonly name: string;
  createAccumulator(): unknown;
  accumulate(acc: unknown, ...args: Value[]): void;
  retract?: ((acc: unknown, ...args: Value[]) => void) | undefined;
  merge?: ((acc: unknown, others: Iterable<unknown>) => void) | undefined;
  getValue(acc: unknown): Value;
}

export interface AggCall {
  readonly kind: AggKind;
  /** Input column indices. COUNT(*) has none; LISTAGG has [value] (its separator is `separator`, default ','). */
  readonly args: readonly number[];
  readonly distinct: boolean;
  /** Input column of a BOOLEAN `FILTER (WHERE ...)` clause, or -1. */
  readonly filterArg: number;
  /**
   * Computed by the planner with Flink's rules (COUNT BIGINT NOT NULL, SUM(INT) INT, AVG(INT) INT truncating,
   * SUM(DECIMAL(p,s)) DECIMAL(38,s), AVG(DECIMAL(p,s)) DECIMAL(38, max(6,s)), ...). Values are produced in it.
   */
  readonly resultType: LogicalType;
  readonly name: string;
  readonly separator?: string;
  /** The function of a 'UDAF' call. */
  readonly udaf?: UserAggregate;
}

/** The accumulators of one group: one slot per call, plain v8-serialisable data. */
export type AccState = unknown[];

/** The accumulators of a list of calls for one group (Flink's generated AggsHandleFunction). */
export interface AggsHandle {
  readonly calls: readonly AggCall[];
  createAccumulators(): AccState;
  /** Adds row `row` of `batch` (honours each call's FILTER and DISTINCT). */
  accumulate(acc: AccState, batch: RecordBatch, row: number): void;
  /** Takes row `row` back out; throws when a call cannot retract (see `retractable`). */
  retract(acc: AccState, batch: RecordBatch, row: number): void;
  /** Adds `other` (a later partial result, e.g. the next slice of a window) into `target`. */
  merge(target: AccState, other: AccState): void;
  /** Appends one value per call, in call order, to builders[offset + i] (ColumnBuilders or ResultBuilders). */
  writeValues(acc: AccState, builders: readonly ValueSink[], offset: number): void;
  /** The results, one per call; for tests and off-hot-path use. */
  getValues(acc: AccState): Value[];
  /**
   * The results into `out[offset + i]` without allocating a row (the group aggregate's "previous value").
   * BIGINT and DECIMAL results may be exact numbers here rather than bigints; ColumnBuilder takes both.
   */
  readValues(acc: AccState, out: Value[], offset: number): void;
  /** Whether two accumulators give the same results (Flink's RecordEqualiser on getValue()). */
  equalValues(a: AccState, b: AccState): boolean;
  /** Whether every call can retract (MIN/MAX keep value counts only when created with `retraction`). */
  readonly retractable: boolean;
}

export interface AggsHandleOptions {
  /**
   * Whether inputs may be retracted (default true). Without it MIN/MAX keep only the extreme value (Flink's
   * MinAggFunction) instead of a value-to-count map (MinWithRetractAggFunction); window aggregates, whose
   * input is insert-only, pass false.
   */
  readonly retraction?: boolean;
}

const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const MAX_EXACT_BIG = BigInt(MAX_EXACT);

/** What accumulators hold for one input value. */
type Prim = number | bigint | string | boolean | Uint8Array;

/** A per-call accumulator implementation; `S` is the plain-data state of one group. */
interface Impl<S> {
  init(): S;
  add(s: S, v: Prim): void;
  /** Null for functions that cannot retract. */
  sub: ((s: S, v: Prim) => void) | null;
  merge(s: S, o: S): void;
  result(s: S): Value;
}

/** The slot of one call: its function state, and for DISTINCT the count per distinct value (Flink's MapView). */
interface Slot {
  s: unknown;
  d: Map<Prim, number> | null;
}

/** Normalises an exact integer (BIGINT, DECIMAL unscaled) to a number when that is exact. */
function normBig(v: bigint): number | bigint {
  return v >= -MAX_EXACT_BIG && v <= MAX_EXACT_BIG ? Number(v) : v;
}

/** Reads one cell as an accumulator value, or null. A switch per cell; typed arrays read directly. */
function readCell(c: Column, type: LogicalType, i: number): Prim | null {
  if (c.validity !== null && !isValid(c.validity, i)) return null;
  switch (c.kind) {
    case 'bool':
      return c.values[i] !== 0;
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
    case 'f64':
      return c.values[i] as number;
    case 'i64':
    case 'big':
      return normBig(c.values[i] as bigint);
    case 'str':
    case 'bin':
      return c.values[i] as string | Uint8Array;
    case 'ts':
      // TIMESTAMP(p > 3): epoch nanoseconds, as Value does, so MIN/MAX keep the sub-millisecond part.
      return BigInt(c.values[i] as number) * 1_000_000n + BigInt(c.nanos[i] as number);
    default: {
      // Nested values (ARRAY, MAP, ROW) only take part through their canonical text: COUNT and DISTINCT.
      const v = getValue(c, type, i);
      return v === null ? null : (toKey(v) as string);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Exact integer arithmetic: a sum is a number while every partial result is a safe integer (the sum of two safe
// integers is exact whenever its magnitude stays within 2^53 - 1) and a bigint after, back to a number when it
// returns into range. BIGINT and DECIMAL sums are therefore exact at any size.

function addExact(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_EXACT && r >= -MAX_EXACT) return r;
  }
  return normBig(BigInt(a) + BigInt(b));
}

function negExact(a: number | bigint): number | bigint {
  return typeof a === 'number' ? -a : normBig(-a);
}

function toBig(a: number | bigint): bigint {
  return typeof a === 'bigint' ? a : BigInt(a);
}

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 76; i++, p *= 10n) POW10.push(p);

/** Rescales an unscaled decimal from scale `from` to scale `to`, rounding HALF_UP as Java's BigDecimal does. */
function rescale(v: bigint, from: number, to: number): bigint {
  if (to >= from) return v * (POW10[to - from] as bigint);
  return divHalfUp(v, POW10[from - to] as bigint);
}

/** a / b rounded HALF_UP (away from zero on a tie), b > 0. */
function divHalfUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a - q * b;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}

/**
 * Casts an exact integer result (a sum, an average) to the call's result type the way Java's arithmetic does:
 * TINYINT/SMALLINT/INT/BIGINT wrap around (Flink's SUM(INT) overflows like an int), DECIMAL rescales to the
 * type's scale and becomes NULL when it no longer fits its precision (Flink's DecimalData overflow).
 */
function castExact(v: number | bigint, fromScale: number, t: LogicalType): Value {
  switch (t.kind) {
    case 'TINYINT':
      return typeof v === 'number' ? ((v | 0) << 24) >> 24 : Number(BigInt.asIntN(8, v));
    case 'SMALLINT':
      return typeof v === 'number' ? ((v | 0) << 16) >> 16 : Number(BigInt.asIntN(16, v));
    case 'INT':
      return typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v));
    case 'BIGINT':
      return typeof v === 'number' ? v : normBig(BigInt.asIntN(64, v));
    case 'DECIMAL': {
      let u: bigint | number = v;
      if (t.scale !== fromScale) u = rescale(toBig(v), fromScale, t.scale);
      const big = toBig(u);
      const limit = POW10[t.precision] as bigint;
      if (big >= limit || big <= -limit) return null;
      return normBig(big);
    }
    case 'FLOAT':
    case 'DOUBLE':
      return fromScale === 0 ? Number(v) : Number(v) / 10 ** fromScale;
    default:
      return typeof v === 'number' ? v : normBig(v);
  }
}

/** A double result cast to the result type (STDDEV over integers is an integer in Flink; DECIMAL rounds). */
function castDouble(d: number, t: LogicalType): Value {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return Number.isFinite(d) ? castExact(Math.trunc(d), 0, t) : null;
    case 'DECIMAL': {
      if (!Number.isFinite(d)) return null;
      const scaled = Math.round(d * 10 ** t.scale);
      return castExact(Number.isSafeInteger(scaled) ? scaled : BigInt(Math.trunc(scaled)), t.scale, t);
    }
    default:
      return d;
  }
}

type NumFamily = 'exact' | 'float';

function numFamily(t: LogicalType, fn: string): { family: NumFamily; scale: number } {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return { family: 'exact', scale: 0 };
    case 'DECIMAL':
      return { family: 'exact', scale: t.scale };
    case 'FLOAT':
    case 'DOUBLE':
      return { family: 'float', scale: 0 };
    case 'INTERVAL':
      // Day-time intervals are milliseconds and year-month ones months: both exact integers.
      return { family: 'exact', scale: 0 };
    default:
      throw new TypeError(`${fn} does not take ${formatType(t)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The functions. Each ignores NULL inputs (they never reach `add`/`sub`), as Flink's built-ins do.

interface CountS {
  n: number;
}
const COUNT_IMPL: Impl<CountS> = {
  init: () => ({ n: 0 }),
  add: (s) => void s.n++,
  sub: (s) => void s.n--,
  merge: (s, o) => void (s.n += o.n),
  result: (s) => s.n,
};

/** SUM, SUM0 and AVG over exact numbers: the sum and the count of non-null inputs (SumWithRetractAggFunction). */
interface SumS {
  s: number | bigint;
  n: number;
}

function sumImpl(kind: 'SUM' | 'SUM0' | 'AVG', inType: LogicalType, resultType: LogicalType): Impl<SumS> {
  const { family, scale } = numFamily(inType, kind);
  if (family === 'float') {
    return {
      init: () => ({ s: 0, n: 0 }),
      add: (s, v) => {
        s.s = (s.s as number) + (v as number);
        s.n++;
      },
      sub: (s, v) => {
        s.s = (s.s as number) - (v as number);
        s.n--;
      },
      merge: (s, o) => {
        s.s = (s.s as number) + (o.s as number);
        s.n += o.n;
      },
      result: (s) => {
        if (s.n === 0) return kind === 'SUM0' ? 0 : null;
        return kind === 'AVG' ? (s.s as number) / s.n : (s.s as number);
      },
    };
  }
  return {
    init: () => ({ s: 0, n: 0 }),
    add: (s, v) => {
      s.s = addExact(s.s, v as number | bigint);
      s.n++;
    },
    sub: (s, v) => {
      s.s = addExact(s.s, negExact(v as number | bigint));
      s.n--;
    },
    merge: (s, o) => {
      s.s = addExact(s.s, o.s);
      s.n += o.n;
    },
    result: (s) => {
      // SUM over no (or only retracted) rows is NULL, SUM0 is 0 (SumWithRetractAggFunction, Sum0AggFunction).
      if (s.n === 0) return kind === 'SUM0' ? castExact(0, scale, resultType) : null;
      if (kind !== 'AVG') return castExact(s.s, scale, resultType);
      if (resultType.kind === 'DECIMAL') {
        // Flink's DecimalAvg: sum / count at the result scale, HALF_UP.
        const num = toBig(s.s) * (POW10[Math.max(0, resultType.scale - scale)] as bigint);
        const q = divHalfUp(num, BigInt(s.n));
        return castExact(normBig(q), Math.max(resultType.scale, scale), resultType);
      }
      if (resultType.kind === 'FLOAT' || resultType.kind === 'DOUBLE') return Number(s.s) / 10 ** scale / s.n;
      // Integer AVG divides like Java's long division: truncates toward zero (IntAvgAggFunction).
      if (typeof s.s === 'number') return castExact(Math.trunc(s.s / s.n), scale, resultType);
      return castExact(normBig(s.s / BigInt(s.n)), scale, resultType);
    },
  };
}

/**
 * STDDEV/VAR as Flink computes them after Calcite's AggregateReduceFunctionsRule: from SUM(x*x), SUM(x) and
 * COUNT(x), (SUM(x*x) - SUM(x)*SUM(x)/COUNT(x)) / COUNT(x) (or COUNT(x) - 1, NULL when that is 0), square
 * root for STDDEV, cast to the result type. Over exact integers the divisions are integer divisions, as in
 * the rewritten expression; here the sums stay exact instead of overflowing.
 */
interface VarS {
  s: number | bigint;
  q: number | bigint;
  n: number;
}

function varianceImpl(
  kind: 'STDDEV_POP' | 'STDDEV_SAMP' | 'VAR_POP' | 'VAR_SAMP',
  inType: LogicalType,
  resultType: LogicalType,
): Impl<VarS> {
  const { family, scale } = numFamily(inType, kind);
  const sample = kind === 'STDDEV_SAMP' || kind === 'VAR_SAMP';
  const sqrt = kind === 'STDDEV_POP' || kind === 'STDDEV_SAMP';
  const integer = family === 'exact' && scale === 0;
  const finish = (d: number): Value => castDouble(sqrt ? Math.sqrt(d) : d, resultType);
  if (!integer) {
    // DOUBLE, FLOAT and DECIMAL: double arithmetic (DECIMAL through its double value).
    const f = family === 'float' ? 1 : 10 ** scale;
    const num = (v: Prim): number => Number(v) / f;
    return {
      init: () => ({ s: 0, q: 0, n: 0 }),
      add: (s, v) => {
        const x = num(v);
        s.s = (s.s as number) + x;
        s.q = (s.q as number) + x * x;
        s.n++;
      },
      sub: (s, v) => {
        const x = num(v);
        s.s = (s.s as number) - x;
        s.q = (s.q as number) - x * x;
        s.n--;
      },
      merge: (s, o) => {
        s.s = (s.s as number) + (o.s as number);
        s.q = (s.q as number) + (o.q as number);
        s.n += o.n;
      },
      result: (s) => {
        const den = sample ? s.n - 1 : s.n;
        if (s.n === 0 || den === 0) return null;
        const sum = s.s as number;
        return finish(((s.q as number) - (sum * sum) / s.n) / den);
      },
    };
  }
  return {
    init: () => ({ s: 0, q: 0, n: 0 }),
    add: (s, v) => {
      const x = toBig(v as number | bigint);
      s.s = addExact(s.s, v as number | bigint);
      s.q = addExact(s.q, normBig(x * x));
      s.n++;
    },
    sub: (s, v) => {
      const x = toBig(v as number | bigint);
      s.s = addExact(s.s, negExact(v as number | bigint));
      s.q = addExact(s.q, normBig(-(x * x)));
      s.n--;
    },
    merge: (s, o) => {
      s.s = addExact(s.s, o.s);
      s.q = addExact(s.q, o.q);
      s.n += o.n;
    },
    result: (s) => {
      const den = sample ? s.n - 1 : s.n;
      if (s.n === 0 || den === 0) return null;
      const sum = toBig(s.s);
      const n = BigInt(s.n);
      const diff = toBig(s.q) - (sum * sum) / n;
      if (sqrt) return finish(Number(diff / BigInt(den)));
      return castExact(normBig(diff / BigInt(den)), 0, resultType);
    },
  };
}

/** Order of SQL values: numbers and bigints numerically, strings by code point (UTF-8 byte order, as Flink's
 *  BinaryStringData compares), booleans false < true, binary strings bytewise. */
export function compareValues(a: Prim, b: Prim): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 code units order surrogates (U+10000 and up) below U+E000..U+FFFF; code points do not.
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/** MIN/MAX without retraction: the extreme value only (Flink's MinAggFunction/MaxAggFunction). */
interface ExtS {
  v: Prim | null;
}
function extremeImpl(sign: 1 | -1): Impl<ExtS> {
  return {
    init: () => ({ v: null }),
    add: (s, v) => {
      if (s.v === null || sign * compareValues(v, s.v) < 0) s.v = v;
    },
    sub: null,
    merge: (s, o) => {
      if (o.v !== null && (s.v === null || sign * compareValues(o.v, s.v) < 0)) s.v = o.v;
    },
    result: (s) => s.v,
  };
}

/**
 * MIN/MAX with retraction (MinWithRetractAggFunction): the extreme value and a count per value; counts may go
 * negative when a retraction arrives first, and only positive counts are candidates when the extreme is
 * retracted and recomputed from the map.
 */
interface ExtRS {
  v: Prim | null;
  m: Map<Prim, number>;
}
function extremeRetractImpl(sign: 1 | -1): Impl<ExtRS> {
  const recompute = (s: ExtRS): void => {
    let best: Prim | null = null;
    for (const [k, c] of s.m) if (c > 0 && (best === null || sign * compareValues(k, best) < 0)) best = k;
    s.v = best;
  };
  const bump = (s: ExtRS, v: Prim, by: number): void => {
    const c = (s.m.get(v) ?? 0) + by;
    if (c === 0) s.m.delete(v);
    else s.m.set(v, c);
    if (by > 0) {
      if (c === 1 && (s.v === null || sign * compareValues(v, s.v) < 0)) s.v = v;
    } else if (c <= 0 && s.v !== null && compareValues(v, s.v) === 0) {
      recompute(s);
    }
  };
  return {
    init: () => ({ v: null, m: new Map() }),
    add: (s, v) => bump(s, v, 1),
    sub: (s, v) => bump(s, v, -1),
    merge: (s, o) => {
      for (const [k, c] of o.m) {
        const n = (s.m.get(k) ?? 0) + c;
        if (n === 0) s.m.delete(k);
        else s.m.set(k, n);
      }
      recompute(s);
    },
    result: (s) => s.v,
  };
}

/**
 * FIRST_VALUE/LAST_VALUE with retraction: the first/last non-null value by arrival. Flink keeps every value with
 * its order (FirstValueWithRetractAggFunction) and a retraction removes the earliest occurrence of that value;
 * the list below is that structure in arrival order (the order is the arrival, not Flink's wall-clock stamp).
 */
interface OrderS {
  l: Prim[];
}

function removeFirst(l: Prim[], v: Prim): boolean {
  for (let i = 0; i < l.length; i++) {
    const x = l[i] as Prim;
    if (x === v || (x instanceof Uint8Array && compareValues(x, v) === 0)) {
      l.splice(i, 1);
      return true;
    }
  }
  return false;
}

function orderedRetractImpl(first: boolean): Impl<OrderS> {
  return {
    init: () => ({ l: [] }),
    add: (s, v) => void s.l.push(v),
    sub: (s, v) => void removeFirst(s.l, v),
    merge: (s, o) => {
      for (const v of o.l) s.l.push(v);
    },
    result: (s) => (s.l.length === 0 ? null : ((first ? s.l[0] : s.l[s.l.length - 1]) as Prim)),
  };
}

/** FIRST_VALUE/LAST_VALUE without retraction: one value (FirstValueAggFunction, LastValueAggFunction). */
interface OneS {
  v: Prim | null;
}
function orderedImpl(first: boolean): Impl<OneS> {
  return {
    init: () => ({ v: null }),
    add: first ? (s, v) => void (s.v === null && (s.v = v)) : (s, v) => void (s.v = v),
    sub: null,
    // `o` is the later partial (the next slice of a window).
    merge: first
      ? (s, o) => void (s.v === null && (s.v = o.v))
      : (s, o) => void (o.v !== null && (s.v = o.v)),
    result: (s) => s.v,
  };
}

/**
 * LISTAGG: the non-null values in arrival order joined by the separator (ListAggWithRetractAggFunction keeps
 * the list). The joined text is kept too (`j`, null after a retraction), so that reading the result per row,
 * as the group aggregate does, is not a join of the whole list each time: appends extend it as a rope.
 */
interface ListS {
  l: Prim[];
  j: string | null;
}
function listAggImpl(separator: string, retraction: boolean): Impl<ListS> {
  const text = (v: Prim): string => (typeof v === 'string' ? v : String(v));
  return {
    init: () => ({ l: [], j: null }),
    add: retraction
      ? (s, v) => {
          // A non-null text always matches a non-empty list; after a retraction it is rebuilt when read.
          if (s.j !== null) s.j = s.j + separator + text(v);
          else if (s.l.length === 0) s.j = text(v);
          s.l.push(v);
        }
      : // Without retraction the text is the whole accumulator (ListAggFunction's).
        (s, v) => void (s.j = s.j === null ? text(v) : s.j + separator + text(v)),
    sub: retraction
      ? (s, v) => {
          if (removeFirst(s.l, v)) s.j = null;
        }
      : null,
    merge: (s, o) => {
      const a = listText(s, separator);
      const b = listText(o, separator);
      s.j = a === null ? b : b === null ? a : a + separator + b;
      if (retraction) for (const v of o.l) s.l.push(v);
    },
    result: (s) => listText(s, separator),
  };
}

function listText(s: ListS, separator: string): string | null {
  if (s.j !== null) return s.j;
  if (s.l.length === 0) return null;
  s.j = s.l.map((v) => (typeof v === 'string' ? v : String(v))).join(separator);
  return s.j;
}

/** BOOL_AND/BOOL_OR: counts of TRUE and FALSE inputs, so that both retract. */
interface BoolS {
  t: number;
  f: number;
}
function boolImpl(and: boolean): Impl<BoolS> {
  return {
    init: () => ({ t: 0, f: 0 }),
    add: (s, v) => void (v === true ? s.t++ : s.f++),
    sub: (s, v) => void (v === true ? s.t-- : s.f--),
    merge: (s, o) => {
      s.t += o.t;
      s.f += o.f;
    },
    result: (s) => (s.t <= 0 && s.f <= 0 ? null : and ? s.f <= 0 : s.t > 0),
  };
}

function implOf(call: AggCall, input: Schema, retraction: boolean): Impl<unknown> {
  const argType = (i: number): LogicalType => {
    const c = call.args[i];
    if (c === undefined) throw new Error(`${call.kind} (${call.name}) needs an argument`);
    return input.field(c).type;
  };
  let impl: Impl<unknown>;
  switch (call.kind) {
    case 'COUNT':
      impl = erase(COUNT_IMPL);
      break;
    case 'SUM':
    case 'SUM0':
    case 'AVG':
      impl = erase(sumImpl(call.kind, argType(0), call.resultType));
      break;
    case 'MIN':
    case 'MAX': {
      const sign = call.kind === 'MIN' ? 1 : -1;
      impl = retraction ? erase(extremeRetractImpl(sign)) : erase(extremeImpl(sign));
      break;
    }
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      argType(0);
      impl = retraction
        ? erase(orderedRetractImpl(call.kind === 'FIRST_VALUE'))
        : erase(orderedImpl(call.kind === 'FIRST_VALUE'));
      break;
    case 'LISTAGG':
      argType(0);
      impl = erase(listAggImpl(call.separator ?? ',', retraction));
      break;
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'VAR_POP':
    case 'VAR_SAMP':
      impl = erase(varianceImpl(call.kind, argType(0), call.resultType));
      break;
    case 'UDAF':
      if (call.udaf === undefined) throw new Error(`UDAF call ${call.name} without its function`);
      impl = erase(udafImpl(call.udaf));
      break;
    case 'BOOL_AND':
    case 'BOOL_OR':
      if (argType(0).kind !== 'BOOLEAN')
        throw new TypeError(`${call.kind} takes BOOLEAN, not ${formatType(argType(0))}`);
      impl = erase(boolImpl(call.kind === 'BOOL_AND'));
      break;
    default:
      return unreachableKind(call.kind);
  }
  return impl;
}

/** A user-defined aggregate: the state is its accumulator, a value is the array of argument Values. */
function udafImpl(f: UserAggregate): Impl<unknown> {
  const retract = f.retract;
  const merge = f.merge;
  return {
    init: () => f.createAccumulator(),
    add: (s, v) => f.accumulate(s, ...(v as unknown as Value[])),
    sub: retract === undefined ? null : (s, v) => retract.call(f, s, ...(v as unknown as Value[])),
    merge: (s, o) => {
      if (merge === undefined)
        throw new Error(`AggregateFunction ${f.name} does not implement merge(acc, others), which this aggregation needs`);
      merge.call(f, s, [o]);
    },
    result: (s) => f.getValue(s),
  };
}

/** Forgets an implementation's state type: the handle passes each slot's state back to its own function only. */
function erase<S>(i: Impl<S>): Impl<unknown> {
  return i as unknown as Impl<unknown>;
}

function unreachableKind(k: never): never {
  throw new Error(`unknown aggregate function ${String(k)}`);
}

/** Equality of result values (bigint and number compare by value; byte strings bytewise). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    // Loose equality compares a number and a bigint by value.
    return a == b;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b) === 0;
  if (typeof a === 'object' && typeof b === 'object') return toKey(a) === toKey(b);
  return false;
}

const NO_VALUE = Symbol('no value');

class Handle implements AggsHandle {
  readonly retractable: boolean;
  private readonly impls: Impl<unknown>[];
  private readonly argCols: Int32Array;
  /** Calls whose arguments are more than one column (COUNT(a, b), COUNT(DISTINCT a, b)). */
  private readonly multi: (readonly number[] | null)[];
  private readonly filters: Int32Array;
  private readonly distinct: boolean[];
  private readonly types: LogicalType[];
  private readonly argTypes: (LogicalType | null)[];
  /** The argument columns of UDAF calls (null for built-ins), read as Values including NULLs. */
  private readonly udafArgs: (readonly number[] | null)[];

  constructor(
    readonly calls: readonly AggCall[],
    private readonly input: Schema,
    retraction: boolean,
  ) {
    this.impls = calls.map((c) => implOf(c, input, retraction));
    this.retractable = this.impls.every((i) => i.sub !== null);
    this.argCols = Int32Array.from(calls.map((c) => (c.args.length === 1 ? (c.args[0] as number) : -1)));
    this.multi = calls.map((c) => (c.args.length > 1 ? c.args : null));
    this.filters = Int32Array.from(calls.map((c) => c.filterArg));
    this.distinct = calls.map((c) => c.distinct);
    this.types = calls.map((c) => c.resultType);
    this.argTypes = calls.map((c) => (c.args.length === 1 ? input.field(c.args[0] as number).type : null));
    this.udafArgs = calls.map((c) => (c.kind === 'UDAF' ? c.args : null));
    calls.forEach((c) => {
      if (c.kind === 'UDAF' && c.distinct) throw new Error(`DISTINCT is not supported for the user-defined aggregate ${c.name}`);
      if (c.args.length > 1 && c.kind !== 'COUNT' && c.kind !== 'UDAF')
        throw new Error(`${c.kind} (${c.name}) takes one argument`);
      if (c.filterArg >= 0 && input.field(c.filterArg).type.kind !== 'BOOLEAN') {
        throw new TypeError(
          `the FILTER of ${c.name} must be BOOLEAN, not ${formatType(input.field(c.filterArg).type)}`,
        );
      }
    });
  }

  createAccumulators(): AccState {
    const acc: AccState = new Array<unknown>(this.impls.length);
    for (let i = 0; i < this.impls.length; i++) {
      const slot: Slot = {
        s: (this.impls[i] as Impl<unknown>).init(),
        d: this.distinct[i] ? new Map() : null,
      };
      acc[i] = slot;
    }
    return acc;
  }

  /** The call's input value at a row: a Prim, null (a NULL argument, skipped), or NO_VALUE for COUNT(*). */
  private argOf(i: number, batch: RecordBatch, row: number): Prim | null | typeof NO_VALUE {
    const col = this.argCols[i] as number;
    if (col >= 0) return readCell(batch.columns[col] as Column, this.argTypes[i] as LogicalType, row);
    const multi = this.multi[i];
    if (multi === null) return NO_VALUE;
    // COUNT(a, b): counts rows where every argument is non-null; the DISTINCT key is their joint text.
    let key = '';
    for (let j = 0; j < (multi as readonly number[]).length; j++) {
      const c = (multi as readonly number[])[j] as number;
      const v = readCell(batch.columns[c] as Column, batch.schema.field(c).type, row);
      if (v === null) return null;
      key += `${typeof v === 'bigint' ? 'n' : typeof v === 'number' ? 'n' : typeof v === 'string' ? 's' : 'o'}${String(v)}\u0000`;
    }
    return key;
  }

  private passesFilter(i: number, batch: RecordBatch, row: number): boolean {
    const f = this.filters[i] as number;
    if (f < 0) return true;
    const c = batch.columns[f] as Column;
    return isValid(c.validity, row) && (c as { values: Uint8Array }).values[row] !== 0;
  }

  /** A UDAF call's arguments at a row, as Values (BIGINT/DECIMAL bigints, NULL null). */
  private udafValues(cols: readonly number[], batch: RecordBatch, row: number): Value[] {
    const out = new Array<Value>(cols.length);
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j] as number;
      out[j] = getValue(batch.columns[c] as Column, batch.schema.field(c).type, row);
    }
    return out;
  }

  accumulate(acc: AccState, batch: RecordBatch, row: number): void {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++) {
      if (!this.passesFilter(i, batch, row)) continue;
      const ua = this.udafArgs[i];
      if (ua !== null && ua !== undefined) {
        (impls[i] as Impl<unknown>).add((acc[i] as Slot).s, this.udafValues(ua, batch, row) as unknown as Prim);
        continue;
      }
      const v = this.argOf(i, batch, row);
      if (v === null) continue;
      const slot = acc[i] as Slot;
      if (slot.d !== null) {
        // DISTINCT: only a value's first occurrence reaches the function (Flink's distinct MapView).
        const k = v === NO_VALUE ? true : v instanceof Uint8Array ? toKey([...v]) : v;
        const c = slot.d.get(k as Prim) ?? 0;
        if (c === -1) slot.d.delete(k as Prim);
        else slot.d.set(k as Prim, c + 1);
        if (c !== 0) continue;
      }
      (impls[i] as Impl<unknown>).add(slot.s, v === NO_VALUE ? true : v);
    }
  }

  retract(acc: AccState, batch: RecordBatch, row: number): void {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++) {
      if (!this.passesFilter(i, batch, row)) continue;
      const ua = this.udafArgs[i];
      if (ua !== null && ua !== undefined) {
        const sub = (impls[i] as Impl<unknown>).sub;
        if (sub === null)
          throw new Error(
            `AggregateFunction ${(this.calls[i] as AggCall).udaf?.name ?? (this.calls[i] as AggCall).name} does not implement retract(acc, ...args), which an updating input needs`,
          );
        sub((acc[i] as Slot).s, this.udafValues(ua, batch, row) as unknown as Prim);
        continue;
      }
      const v = this.argOf(i, batch, row);
      if (v === null) continue;
      const impl = impls[i] as Impl<unknown>;
      const slot = acc[i] as Slot;
      if (impl.sub === null) {
        const call = this.calls[i] as AggCall;
        throw new Error(
          `${call.kind} (${call.name}) cannot retract: its accumulator was created without retraction`,
        );
      }
      if (slot.d !== null) {
        const k = v === NO_VALUE ? true : v instanceof Uint8Array ? toKey([...v]) : v;
        const c = (slot.d.get(k as Prim) ?? 0) - 1;
        if (c === 0) slot.d.delete(k as Prim);
        else slot.d.set(k as Prim, c);
        if (c !== 0) continue;
      }
      impl.sub(slot.s, v === NO_VALUE ? true : v);
    }
  }

  merge(target: AccState, other: AccState): void {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++) {
      const t = target[i] as Slot;
      const o = other[i] as Slot;
      const impl = impls[i] as Impl<unknown>;
      if (t.d === null || o.d === null) {
        impl.merge(t.s, o.s);
        continue;
      }
      // DISTINCT: a value reaches the function when its count becomes positive and leaves it when the count
      // drops to zero or below (Flink's generated merge over the distinct MapView). A partial result of a
      // local aggregate may carry negative counts: retractions of values only the target has seen.
      const whole = this.multi[i] !== null || this.argCols[i] === -1;
      for (const [k, c] of o.d) {
        const before = t.d.get(k) ?? 0;
        const after = before + c;
        if (after === 0) t.d.delete(k);
        else t.d.set(k, after);
        if (before <= 0 && after > 0) impl.add(t.s, whole ? true : k);
        else if (before > 0 && after <= 0) {
          if (impl.sub === null)
            throw new Error(
              `${(this.calls[i] as AggCall).name} cannot retract: its accumulator was created without retraction`,
            );
          impl.sub(t.s, whole ? true : k);
        }
      }
    }
  }

  readValues(acc: AccState, out: Value[], offset: number): void {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++)
      out[offset + i] = (impls[i] as Impl<unknown>).result((acc[i] as Slot).s);
  }

  getValues(acc: AccState): Value[] {
    const out = new Array<Value>(this.impls.length);
    this.readValues(acc, out, 0);
    // Values as column.ts documents them: BIGINT and DECIMAL are bigints (readValues keeps exact numbers).
    for (let i = 0; i < out.length; i++) {
      const k = (this.types[i] as LogicalType).kind;
      if ((k === 'BIGINT' || k === 'DECIMAL') && typeof out[i] === 'number')
        out[i] = BigInt(out[i] as number);
    }
    return out;
  }

  writeValues(acc: AccState, builders: readonly ValueSink[], offset: number): void {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++) {
      (builders[offset + i] as ValueSink).append((impls[i] as Impl<unknown>).result((acc[i] as Slot).s));
    }
  }

  equalValues(a: AccState, b: AccState): boolean {
    const impls = this.impls;
    for (let i = 0; i < impls.length; i++) {
      const impl = impls[i] as Impl<unknown>;
      if (!valueEquals(impl.result((a[i] as Slot).s), impl.result((b[i] as Slot).s))) return false;
    }
    return true;
  }

  toString(): string {
    return `${this.calls.map((c) => c.name).join(', ')} over ${this.input.toString()}`;
  }
}

/** The accumulators of `calls` over rows of `inputSchema`; checks argument types up front. */
export function createAggsHandle(
  calls: readonly AggCall[],
  inputSchema: Schema,
  options: AggsHandleOptions = {},
): AggsHandle {
  return new Handle(calls, inputSchema, options.retraction ?? true);
}

/** Equality of two result rows, e.g. the previous and the new result of a group. */
export function valuesEqual(a: readonly Value[], b: readonly Value[], from = 0, to = a.length): boolean {
  for (let i = from; i < to; i++) if (!valueEquals(a[i] as Value, b[i] as Value)) return false;
  return true;
}

/** Where result values are appended: a ColumnBuilder or a ResultBuilder. */
export interface ValueSink {
  append(v: Value): void;
}

/** Types whose column layout is one f64 per value while the values are exact doubles (column.ts). */
function isF64Layout(t: LogicalType): boolean {
  switch (t.kind) {
    case 'DOUBLE':
    case 'BIGINT':
    case 'DECIMAL':
      return true;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return t.precision <= 3;
    case 'INTERVAL':
      return t.family === 'DAY_TIME';
    default:
      return false;
  }
}

/**
 * An output column builder that takes BIGINT and DECIMAL results as exact numbers without a bigint per cell
 * (ColumnBuilder.append turns every number of those types into a bigint first, which dominated the group
 * aggregate's profile). Numbers go straight into a Float64Array; the first bigint hands the values so far to a
 * ColumnBuilder, which picks the wide layout. Other types use a ColumnBuilder from the start.
 */
export class ResultBuilder implements ValueSink {
  private fast: Float64Array | null = null;
  private validity: Uint8Array | null = null;
  private slow: ColumnBuilder | null = null;
  private n = 0;

  constructor(
    readonly type: LogicalType,
    capacity = 64,
  ) {
    if (isF64Layout(type)) this.fast = new Float64Array(Math.max(8, capacity));
    else this.slow = new ColumnBuilder(type, capacity);
  }

  append(v: Value): void {
    const fast = this.fast;
    if (fast === null) {
      (this.slow as ColumnBuilder).append(v);
      return;
    }
    if (v !== null && typeof v !== 'number') {
      this.toSlow().append(v);
      return;
    }
    if (this.n === fast.length) this.grow();
    const i = this.n++;
    if (v === null) {
      if (this.validity === null) this.validity = allValid(i, (this.fast as Float64Array).length);
      setValid(this.validity, i, false);
      (this.fast as Float64Array)[i] = 0;
    } else {
      if (this.validity !== null) setValid(this.validity, i, true);
      (this.fast as Float64Array)[i] = v;
    }
  }

  private grow(): void {
    const old = this.fast as Float64Array;
    const f = new Float64Array(old.length * 2);
    f.set(old);
    this.fast = f;
    if (this.validity !== null) {
      const v = new Uint8Array(validityBytes(f.length));
      v.set(this.validity);
      this.validity = v;
    }
  }

  private toSlow(): ColumnBuilder {
    const b = new ColumnBuilder(this.type, Math.max(64, this.n * 2));
    const f = this.fast as Float64Array;
    const exact = this.type.kind === 'BIGINT' || this.type.kind === 'DECIMAL';
    for (let i = 0; i < this.n; i++) {
      if (!isValid(this.validity, i)) b.appendNull();
      else b.append(exact ? BigInt(f[i] as number) : (f[i] as number));
    }
    this.fast = null;
    this.validity = null;
    this.slow = b;
    return b;
  }

  get size(): number {
    return this.slow === null ? this.n : this.slow.size;
  }

  finish(): Column {
    if (this.slow !== null) return this.slow.finish();
    const n = this.n;
    return {
      kind: 'f64',
      values: (this.fast as Float64Array).slice(0, n),
      validity: this.validity === null ? null : this.validity.slice(0, validityBytes(n)),
    };
  }
}

/** A cell's value with BIGINT/DECIMAL as exact numbers where they fit (keys kept in state, ResultBuilder input). */
export function exactValue(v: Value): Value {
  return typeof v === 'bigint' ? normBig(v) : v;
}
