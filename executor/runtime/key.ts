// Keys and key groups. A key is a JS primitive so it can index a Map without allocation; it hashes to one of
// `maxParallelism` key groups, and a key group to a subtask, as in Flink (KeyGroupRangeAssignment): keyed state
// is stored per key group so that a later issue can rescale by moving whole groups.
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
}

/** The key is one field of the row (the fast path: no per-row objects). */
export function fieldKeySelector(field: number, name: string): KeySelector {
  return {
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
  };
}

/** A primitive key for any value: composite values become their canonical text. */
export function toKey(v: Value): Key {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return v;
  }
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? [...x] : x));
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 32-bit hash of a key, stable across runs and processes (state placement depends on it). */
export function hashKey(k: Key): number {
  switch (typeof k) {
    case 'number':
      if (Number.isInteger(k) && k >= -0x80000000 && k <= 0x7fffffff) return murmurMix(k | 0);
      f64[0] = k;
      return murmurMix((u32[0] as number) ^ Math.imul(u32[1] as number, 0x9e3779b1));
    case 'string': {
      let h = 0x811c9dc5;
      for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
      return murmurMix(h);
    }
    case 'boolean':
      return k ? 1231 : 1237;
    case 'bigint':
      return hashKey(k.toString());
    case 'object':
      return 0;
    default:
      return 0;
  }
}

/** Murmur3's finaliser: spreads the bits of a hash so that consecutive integers land in different groups. */
function murmurMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function keyGroupOf(k: Key, maxParallelism: number): number {
  return hashKey(k) % maxParallelism;
}

/** Flink's operator index for a key group: contiguous ranges of groups per subtask. */
export function subtaskOfKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups [start, end] a subtask owns. */
export function keyGroupRange(subtask: number, maxParallelism: number, parallelism: number): [number, number] {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return [start, end];
}
