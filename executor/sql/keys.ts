// Keys of SQL operators: a grouping, join or partition key made of some columns of a row, as one JS primitive
// so that it indexes a Map without allocation and hashes to the same key group as the exchange that routed the
// row here (the planner hash-partitions on the same columns with `hashKeyPartitioner`). One column keeps its
// value as the key (via fieldKeySelector's typed-array fast path); several columns join their canonical texts
// with a separator that cannot occur in them, so (1, 'a') and ('1', 'a') stay different.
import type { RecordBatch } from '../batch/batch.js';
import { getValue, type Value } from '../batch/column.js';
import { fieldKeySelector, javaHashCode, toKey, type Key, type KeySelector } from '../runtime/key.js';

/** The key of a row with no key columns (a global aggregate, a Top-N without PARTITION BY). */
export const EMPTY_KEY: Key = '';

/** A KeySelector over columns `cols` of a batch; the same key whatever the batch's other columns are. */
export function columnsKeySelector(cols: readonly number[], names: readonly string[]): KeySelector {
  if (cols.length === 1) {
    const fast = fieldKeySelector(cols[0] as number, names[0] ?? `$${cols[0]}`);
    return {
      description: fast.description,
      keysOf(batch: RecordBatch): readonly Key[] {
        const kind = batch.columns[cols[0] as number]?.kind;
        if (kind !== 'i64' && kind !== 'big') return fast.keysOf(batch);
        // A wide batch: small values must give the same key (a number) as they do in an exact-double batch.
        const keys = fast.keysOf(batch) as Key[];
        for (let i = 0; i < keys.length; i++) keys[i] = normalize(keys[i] as Key);
        return keys;
      },
      // The exchange's per-batch hash from the typed array (no key per row), except for wide BIGINT batches,
      // whose normalized keys hash differently from the raw bigints (Long.hashCode(-1n) is 0, Integer's is -1).
      hashCodesOf(batch: RecordBatch, out: Int32Array): void {
        const kind = batch.columns[cols[0] as number]?.kind;
        if (kind !== 'i64' && kind !== 'big' && fast.hashCodesOf !== undefined) return fast.hashCodesOf(batch, out);
        const keys = this.keysOf(batch);
        for (let i = 0; i < keys.length; i++) out[i] = javaHashCode(keys[i] as Key);
      },
    };
  }
  const description = cols.map((c, i) => names[i] ?? `$${c}`).join(', ');
  if (cols.length === 0) {
    return {
      description: '()',
      keysOf: (batch: RecordBatch): Key[] => new Array<Key>(batch.length).fill(EMPTY_KEY),
    };
  }
  return {
    description,
    keysOf(batch: RecordBatch): Key[] {
      const n = batch.length;
      const out = new Array<Key>(n);
      const columns = cols.map((c) => batch.columns[c]);
      const types = cols.map((c) => batch.schema.field(c).type);
      for (let r = 0; r < n; r++) {
        let s = '';
        for (let j = 0; j < cols.length; j++) {
          if (j > 0) s += '\u0000';
          s += keyPart(getValue(columns[j]!, types[j]!, r));
        }
        out[r] = s;
      }
      return out;
    },
  };
}

/** The key of a row given as values (state, tests); equal to what `columnsKeySelector` yields for it. */
export function keyOfValues(values: readonly Value[]): Key {
  if (values.length === 1) return normalize(toKey(values[0] as Value));
  if (values.length === 0) return EMPTY_KEY;
  return values.map(keyPart).join('\u0000');
}

function normalize(k: Key): Key {
  return typeof k === 'bigint' && k >= -MAX_EXACT && k <= MAX_EXACT ? Number(k) : k;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function keyPart(v: Value): string {
  // A type tag keeps 1 (number), 1n (bigint), '1' (string) and NULL apart.
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return `n${v}`;
    case 'bigint':
      return `n${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      return `j${String(toKey(v))}`;
  }
}
