// Keys and key groups. A key is a JS primitive so it can index a Map without allocation; it hashes to one of
// `maxParallelism` key groups, and a key group to a subtask, as in Flink (KeyGroupRangeAssignment): the hash
// exchange routes by these functions and keyed state is snapshotted per key group, so the two always agree and a
// restore at another parallelism moves whole groups.
import type { RecordBatch } from '../batch/batch.js';
import { getValue, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';

export type Key = string | number | boolean | bigint | null;

export const DEFAULT_MAX_PARALLELISM = 128;

/** Extracts the key of every row of a batch. Column keys read the typed arrays; selector keys go through rows. */
export interface KeySelector {
  /** For plans and error messages. */
  readonly description: string;
  keysOf(batch: RecordBatch): readonly Key[];
  /**
   * Optional fast path of a hash exchange: each row's `javaHashCode(key)` into `out[0 .. batch.length)`, read
   * from the typed arrays without materialising the keys. Must equal javaHashCode of what `keysOf` yields.
   */
  hashCodesOf?(batch: RecordBatch, out: Int32Array): void;
}

/** The key is one field of the row (the fast path: no per-row objects). */
export function fieldKeySelector(field: number, name: string): KeySelector {
  const selector: KeySelector = {
    description: name,
    keysOf(batch: RecordBatch): Key[] {
      const c = batch.columns[field];
      if (c === undefined) throw new RangeError(`key field ${field} out of range`);
      const n = batch.length;
      const out = new Array<Key>(n);
      switch (c.kind) {
        case 'i8':
        case 'i16':
        case 'i32':
        case 'f32':
        case 'f64':
        case 'str': {
          const v = c.values;
          const valid = c.validity;
          if (valid === null) for (let i = 0; i < n; i++) out[i] = v[i] as Key;
          else for (let i = 0; i < n; i++) out[i] = isValid(valid, i) ? (v[i] as Key) : null;
          return out;
        }
        default: {
          const t = batch.schema.field(field).type;
          for (let i = 0; i < n; i++) out[i] = toKey(getValue(c, t, i));
          return out;
        }
      }
    },
    hashCodesOf(batch: RecordBatch, out: Int32Array): void {
      const c = batch.columns[field];
      if (c === undefined) throw new RangeError(`key field ${field} out of range`);
      const n = batch.length;
      const valid = c.validity;
      switch (c.kind) {
        case 'i8':
        case 'i16':
        case 'i32': {
          // Integer.hashCode is the value itself.
          const v = c.values;
          for (let i = 0; i < n; i++) out[i] = v[i] as number;
          break;
        }
        case 'f32':
        case 'f64': {
          const v = c.values;
          for (let i = 0; i < n; i++) out[i] = numberHashCode(v[i] as number);
          break;
        }
        case 'str': {
          const v = c.values;
          // A null slot may hold anything (undefined): it is zeroed below.
          for (let i = 0; i < n; i++) {
            const k = v[i];
            out[i] = typeof k === 'string' ? stringHashCode(k) : 0;
          }
          break;
        }
        default: {
          const keys = selector.keysOf(batch);
          for (let i = 0; i < n; i++) out[i] = javaHashCode(keys[i] as Key);
          return;
        }
      }
      // A null key hashes as 0 (javaHashCode(null)); the loops above read whatever a null slot holds.
      if (valid !== null) for (let i = 0; i < n; i++) if (!isValid(valid, i)) out[i] = 0;
    },
  };
  return selector;
}

/** A primitive key for any value: composite values become their canonical text. */
export function toKey(v: Value): Key {
  if (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    typeof v === 'bigint'
  ) {
    return v;
  }
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? `${x}n` : x instanceof Map ? [...x] : x,
  );
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const INT_MIN = -0x80000000;

/**
 * The key's hashCode as the JVM computes it for the boxed type Flink would key by, so that a key lands in the same
 * key group as in Flink: Integer for integers in 32-bit range, Long for larger integers and bigints, Double for
 * other numbers, String (s[0]*31^(n-1) + ... over UTF-16 units), Boolean (1231/1237). Composite keys arrive here
 * as their canonical text (toKey) and hash as that String. Null has no key group in Flink ("Assigned key must not
 * be null"); here it hashes as 0 so that SQL's NULL group key still has one home.
 */
export function javaHashCode(k: Key): number {
  switch (typeof k) {
    case 'number':
      return numberHashCode(k);
    case 'string':
      return stringHashCode(k);
    case 'boolean':
      return k ? 1231 : 1237;
    case 'bigint':
      return longHash(k);
    case 'object':
      return 0;
    default:
      return 0;
  }
}

/** javaHashCode of a number key: Integer, Long or Double.hashCode (see javaHashCode). */
function numberHashCode(k: number): number {
  // `k | 0` equals k exactly for an integer in 32-bit range (and only then, except -0, which Integer also gets).
  if ((k | 0) === k) return k | 0; // Integer.hashCode
  if (Number.isSafeInteger(k)) return safeLongHash(k);
  // Double.hashCode: bits ^ (bits >>> 32), with every NaN canonical (doubleToLongBits).
  f64[0] = k;
  return ((u32[0] as number) ^ (u32[1] as number)) | 0;
}

/** String.hashCode: s[0]*31^(n-1) + ... over UTF-16 units. */
function stringHashCode(k: string): number {
  let h = 0;
  for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
  return h;
}

/**
 * Long.hashCode of a safe integer without BigInt (this runs per row in hash exchanges, e.g. on epoch-millisecond
 * window ends): the high word is floor(v / 2^32) (the arithmetic shift, negative for negative v), the low word
 * v − high·2^32 in [0, 2^32); both are exact in a double, and `^` takes each as its 32-bit two's complement.
 */
function safeLongHash(v: number): number {
  const hi = Math.floor(v / 4294967296);
  return ((v - hi * 4294967296) ^ hi) | 0;
}

/** Long.hashCode: (int)(v ^ (v >>> 32)) of the two's-complement 64-bit value. */
function longHash(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

/**
 * Flink's MathUtils.murmurHash(int): one Murmur3 round over the 4-byte code, the finaliser (bitMix), then the
 * absolute value (Integer.MIN_VALUE becomes 0). Always in [0, 2^31).
 */
export function murmurHash(code: number): number {
  code = Math.imul(code, 0xcc9e2d51);
  code = (code << 15) | (code >>> 17);
  code = Math.imul(code, 0x1b873593);
  code = (code << 13) | (code >>> 19);
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  code ^= code >>> 16;
  code = Math.imul(code, 0x85ebca6b);
  code ^= code >>> 13;
  code = Math.imul(code, 0xc2b2ae35);
  code ^= code >>> 16;
  if (code >= 0) return code;
  return code !== INT_MIN ? -code : 0;
}

/** A non-negative 32-bit hash of a key, stable across runs and processes (state placement depends on it). */
export function hashKey(k: Key): number {
  return murmurHash(javaHashCode(k));
}

/** Flink's KeyGroupRangeAssignment.assignToKeyGroup: murmurHash(key.hashCode()) % maxParallelism. */
export function keyGroupOf(k: Key, maxParallelism: number): number {
  return murmurHash(javaHashCode(k)) % maxParallelism;
}

/**
 * Each row's key group (keyGroupOf of its key) into `out[0 .. batch.length)`: the per-batch form a hash exchange
 * uses, through the selector's typed-array fast path when it has one.
 */
export function keyGroupsOf(
  selector: KeySelector,
  batch: RecordBatch,
  maxParallelism: number,
  out: Int32Array,
): void {
  const n = batch.length;
  if (selector.hashCodesOf !== undefined) selector.hashCodesOf(batch, out);
  else {
    const keys = selector.keysOf(batch);
    for (let i = 0; i < n; i++) out[i] = javaHashCode(keys[i] as Key);
  }
  // murmurHash is non-negative, so for a power-of-two max parallelism (the default 128) the remainder is a mask;
  // an integer division per row would cost more than the hash.
  if ((maxParallelism & (maxParallelism - 1)) === 0) {
    const mask = maxParallelism - 1;
    for (let i = 0; i < n; i++) out[i] = murmurHash(out[i] as number) & mask;
  } else for (let i = 0; i < n; i++) out[i] = murmurHash(out[i] as number) % maxParallelism;
}

/** Flink's bounds for max parallelism (KeyGroupRangeAssignment.DEFAULT_LOWER_BOUND / UPPER_BOUND_MAX_PARALLELISM). */
export const LOWER_BOUND_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/**
 * Flink's KeyGroupRangeAssignment.computeDefaultMaxParallelism: the parallelism plus half of it, rounded up to a
 * power of two, clamped to [128, 32768]; used when `pipeline.max-parallelism` is not set.
 */
export function computeDefaultMaxParallelism(parallelism: number): number {
  const p = parallelism + Math.floor(parallelism / 2);
  let pow = 1;
  while (pow < p) pow *= 2;
  return Math.min(Math.max(pow, LOWER_BOUND_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
}

/** Flink's checkParallelismPreconditions: max parallelism in [1, 32768]. */
export function checkMaxParallelism(maxParallelism: number): void {
  if (
    !Number.isInteger(maxParallelism) ||
    maxParallelism < 1 ||
    maxParallelism > UPPER_BOUND_MAX_PARALLELISM
  ) {
    throw new RangeError(
      `max parallelism must be an integer in [1, ${UPPER_BOUND_MAX_PARALLELISM}], not ${maxParallelism}`,
    );
  }
}

/** Flink's operator index for a key group: contiguous ranges of groups per subtask. */
export function subtaskOfKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups [start, end] a subtask owns. */
export function keyGroupRange(
  subtask: number,
  maxParallelism: number,
  parallelism: number,
): [number, number] {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return [start, end];
}
