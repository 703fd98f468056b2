// An order-independent checksum of a changelog: each row (its row kind and every cell) is hashed, and the row
// hashes are added up, so the result does not depend on batch boundaries, parallelism or arrival order, but does
// change when a row is dropped, duplicated, altered or arrives with another row kind. The benchmark's proof that
// a sink really consumed what the query produced (issue #11).
//
// Cells are hashed by value, not by layout: a BIGINT is the same whether its batch used the exact-double (`f64`)
// or the wide (`i64`) layout, and every number hashes as its IEEE double (wide values beyond 2^53 as their
// 64-bit words). Work is per column over typed arrays; the only per-row state is a Uint32Array per batch.
import {
  getValue,
  type Column,
  type Field,
  type LogicalType,
  type RecordBatch,
  type Value,
} from '../../executor/index.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const NULL_WORD = 0x6e756c6c; // "null"

/** Folds one 32-bit word into a running hash (MurmurHash3's body step). */
function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the word before the rows are summed. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const f64Scratch = new Float64Array(1);
const u32Scratch = new Uint32Array(f64Scratch.buffer);

function hashString(s: string): number {
  let h = mix(0x73747221, s.length); // "str!"
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mix(h, s.charCodeAt(i));
  return fmix(h);
}

/**
 * Content hashes of recent strings. A Map finds a string by V8's own hash of its content (computed natively once
 * per string object and cached in it), so a repeated value (Nexmark's `extra`, url and channel values repeat)
 * costs one look-up instead of a pass over its characters in JavaScript, which was 40% of q1's time. Bounded:
 * cleared when full, so distinct values cost the same as without it.
 */
const stringHashes = new Map<string, number>();
const STRING_CACHE_LIMIT = 1 << 16;

/**
 * Below this length hashing the characters costs less than the cache's look-up, and, for a new value (a person's
 * name), its insert: q8's fire of ~20 k rows spent 40% of its time in this Map (docs/benchmarks.md, Latency).
 */
const SHORT_STRING = 24;

function mixString(h: number, s: string): number {
  if (s.length <= SHORT_STRING) return mix(h, hashString(s));
  let sh = stringHashes.get(s);
  if (sh === undefined) {
    sh = hashString(s);
    if (stringHashes.size >= STRING_CACHE_LIMIT) stringHashes.clear();
    stringHashes.set(s, sh);
  }
  return mix(h, sh);
}

function mixNumber(h: number, v: number): number {
  // Int32 values (counts, small ids) skip the bit copy; every layout takes the same branch for the same value,
  // so the hash still depends on the value only.
  if ((v | 0) === v && !Object.is(v, -0)) return mix(mix(h, v), 0);
  f64Scratch[0] = v;
  return mix(mix(h, u32Scratch[0] as number), u32Scratch[1] as number);
}

function mixBigint(h: number, v: bigint): number {
  // Values an exact double can hold hash as that double, so the f64 and i64 layouts of a BIGINT agree.
  if (v >= -(2n ** 53n) && v <= 2n ** 53n) return mixNumber(h, Number(v));
  h = mix(h, 0x62696721); // "big!": wide values are never confused with doubles
  let x = v < 0n ? -v : v;
  h = mix(h, v < 0n ? 1 : 0);
  while (x > 0n) {
    h = mix(h, Number(x & 0xffffffffn));
    x >>= 32n;
  }
  return h;
}

/** Any cell, through its `Value`: the fallback for nested columns (ROW, ARRAY, MAP) and bytes. */
function mixValue(h: number, v: Value): number {
  if (v === null) return mix(h, NULL_WORD);
  switch (typeof v) {
    case 'number':
      return mixNumber(h, v);
    case 'bigint':
      return mixBigint(h, v);
    case 'string':
      return mixString(h, v);
    case 'boolean':
      return mixNumber(h, v ? 1 : 0);
    default:
      break;
  }
  if (v instanceof Uint8Array) {
    h = mix(h, v.length);
    for (let i = 0; i < v.length; i++) h = mix(h, v[i] as number);
    return h;
  }
  if (v instanceof Map) {
    h = mix(h, v.size);
    for (const [k, x] of v as ReadonlyMap<Value, Value>) h = mixValue(mixValue(h, k), x);
    return h;
  }
  const arr = v as readonly Value[];
  h = mix(h, arr.length);
  for (const x of arr) h = mixValue(h, x);
  return h;
}

/** Folds column `c` into the per-row hashes `hs` (rows 0..n−1). */
function mixColumn(hs: Int32Array, c: Column, type: LogicalType, n: number): void {
  const valid = c.validity;
  switch (c.kind) {
    case 'bool':
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
    case 'f64': {
      const vals = c.values;
      for (let r = 0; r < n; r++) {
        hs[r] =
          valid !== null && ((valid[r >>> 3] as number) & (1 << (r & 7))) === 0
            ? mix(hs[r] as number, NULL_WORD)
            : mixNumber(hs[r] as number, vals[r] as number);
      }
      return;
    }
    case 'i64':
    case 'big': {
      const vals = c.values;
      for (let r = 0; r < n; r++) {
        hs[r] =
          valid !== null && ((valid[r >>> 3] as number) & (1 << (r & 7))) === 0
            ? mix(hs[r] as number, NULL_WORD)
            : mixBigint(hs[r] as number, vals[r] as bigint);
      }
      return;
    }
    case 'ts': {
      const vals = c.values;
      for (let r = 0; r < n; r++) {
        hs[r] =
          valid !== null && ((valid[r >>> 3] as number) & (1 << (r & 7))) === 0
            ? mix(hs[r] as number, NULL_WORD)
            : mix(mixNumber(hs[r] as number, vals[r] as number), c.nanos[r] as number);
      }
      return;
    }
    case 'str': {
      const vals = c.values;
      for (let r = 0; r < n; r++) {
        hs[r] =
          valid !== null && ((valid[r >>> 3] as number) & (1 << (r & 7))) === 0
            ? mix(hs[r] as number, NULL_WORD)
            : mixString(hs[r] as number, vals[r] as string);
      }
      return;
    }
    default:
      for (let r = 0; r < n; r++) hs[r] = mixValue(hs[r] as number, getValue(c, type, r));
  }
}

/**
 * A running checksum over changelog rows: `rows` and two independent 32-bit sums of row hashes (64 bits in
 * all, printed as 16 hex digits). Addition commutes, so any order or split of the same rows gives the same value.
 */
export class ChangelogChecksum {
  rows = 0;
  private sumA = 0;
  private sumB = 0;
  private scratch = new Int32Array(1024);
  // The final table's checksum (with `withFinal`): each row's value hash, without its kind, added for +I/+U and
  // subtracted for -U/-D. What is left is the hash of the rows still in the table, whatever order the changes
  // came in, so it is equal where the changelog itself legitimately differs (updates from two parallel upstream
  // subtasks interleave differently from run to run, e.g. Nexmark q4 at parallelism 2).
  private finalA = 0;
  private finalB = 0;
  private values: Int32Array | null = null;

  /** `withFinal`: also keep the final table's checksum (a second pass over the columns per batch). */
  constructor(private readonly withFinal = false) {}

  add(batch: RecordBatch): void {
    const n = batch.length;
    if (n === 0) return;
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, this.scratch.length * 2));
    const hs = this.scratch;
    const kinds = batch.kinds;
    // The row kind is the first word of every row's hash: +I and -D of the same values must not cancel.
    for (let r = 0; r < n; r++) hs[r] = mix(0x5eed, kinds[r] as number);
    const cols = batch.columns;
    const fields = batch.schema.fields;
    for (let j = 0; j < cols.length; j++) mixColumn(hs, cols[j] as Column, (fields[j] as Field).type, n);
    let a = this.sumA;
    let b = this.sumB;
    for (let r = 0; r < n; r++) {
      const h = hs[r] as number;
      a = (a + fmix(h)) | 0;
      b = (b + fmix(mix(h, 0x2545f491))) | 0; // a second finalisation of the same row: 64 bits in all
    }
    this.sumA = a;
    this.sumB = b;
    this.rows += n;
    if (this.withFinal) this.addFinal(batch);
  }

  private addFinal(batch: RecordBatch): void {
    const n = batch.length;
    if (this.values === null || this.values.length < n) this.values = new Int32Array(Math.max(n, 1024));
    const hv = this.values;
    hv.fill(0x5eed, 0, n);
    const cols = batch.columns;
    const fields = batch.schema.fields;
    for (let j = 0; j < cols.length; j++) mixColumn(hv, cols[j] as Column, (fields[j] as Field).type, n);
    const kinds = batch.kinds;
    let a = this.finalA;
    let b = this.finalB;
    for (let r = 0; r < n; r++) {
      const h = hv[r] as number;
      const x = fmix(h);
      const y = fmix(mix(h, 0x2545f491));
      // +I (0) and +U (2) add the row, -U (1) and -D (3) take it away.
      if (((kinds[r] as number) & 1) === 0) {
        a = (a + x) | 0;
        b = (b + y) | 0;
      } else {
        a = (a - x) | 0;
        b = (b - y) | 0;
      }
    }
    this.finalA = a;
    this.finalB = b;
  }

  /** 16 hex digits: the final table's checksum (constructed `withFinal`), else null. */
  finalHex(): string | null {
    if (!this.withFinal) return null;
    return (
      (this.finalA >>> 0).toString(16).padStart(8, '0') + (this.finalB >>> 0).toString(16).padStart(8, '0')
    );
  }

  /** 16 hex digits: the two sums. */
  hex(): string {
    return (this.sumA >>> 0).toString(16).padStart(8, '0') + (this.sumB >>> 0).toString(16).padStart(8, '0');
  }
}
