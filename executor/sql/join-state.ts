// One side of the regular join's state, kept columnar: rows live in typed-array chunks (one per column, plus
// per-row links), and a join key maps to a slot holding the head and tail of its rows' chain. Storing a row so
// allocates no object (q7 keeps every bid: 10 M rows were 2.6 GB of Value[] rows, records and BigInts whose
// garbage collection was most of the time); rows become Value[] only when they are joined or emitted. Row
// indexes are reused after a row leaves.
import type { RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import type { Key } from '../runtime/key.js';
import type { LogicalType } from '../types/logical-type.js';
import type { Schema } from '../types/schema.js';

const BITS = 14;
const CHUNK = 1 << BITS;
const MASK = CHUNK - 1;
/** The first chunk starts this small and doubles up to CHUNK, so a join of ten rows does not take 16 K slots. */
const FIRST = 64;

/**
 * Growable arrays of numbers in fixed-size typed-array chunks (no copy of the old rows when they grow). One class
 * per element type, not one generic class: a generic one's element accesses see three typed-array kinds and go
 * megamorphic, which made storing a q7 bid cost over a microsecond.
 */
class F64Chunks {
  readonly chunks: Float64Array[] = [];
  private cap = 0;

  /** Makes index `i` addressable; rows are allocated in order, so `i` is at most the capacity. */
  ensure(i: number): void {
    if (i < this.cap) return;
    if (this.cap < CHUNK) {
      const next = Math.min(CHUNK, Math.max(FIRST, this.cap * 2));
      const grown = new Float64Array(next);
      const old = this.chunks[0];
      if (old !== undefined) grown.set(old);
      this.chunks[0] = grown;
      this.cap = next;
    } else {
      this.chunks.push(new Float64Array(CHUNK));
      this.cap += CHUNK;
    }
  }

  get(i: number): number {
    return (this.chunks[i >>> BITS] as Float64Array)[i & MASK] as number;
  }

  set(i: number, v: number): void {
    (this.chunks[i >>> BITS] as Float64Array)[i & MASK] = v;
  }
}

class I32Chunks {
  readonly chunks: Int32Array[] = [];
  private cap = 0;

  /** Makes index `i` addressable; rows are allocated in order, so `i` is at most the capacity. */
  ensure(i: number): void {
    if (i < this.cap) return;
    if (this.cap < CHUNK) {
      const next = Math.min(CHUNK, Math.max(FIRST, this.cap * 2));
      const grown = new Int32Array(next);
      const old = this.chunks[0];
      if (old !== undefined) grown.set(old);
      this.chunks[0] = grown;
      this.cap = next;
    } else {
      this.chunks.push(new Int32Array(CHUNK));
      this.cap += CHUNK;
    }
  }

  get(i: number): number {
    return (this.chunks[i >>> BITS] as Int32Array)[i & MASK] as number;
  }

  set(i: number, v: number): void {
    (this.chunks[i >>> BITS] as Int32Array)[i & MASK] = v;
  }
}

class U8Chunks {
  readonly chunks: Uint8Array[] = [];
  private cap = 0;

  /** Makes index `i` addressable; rows are allocated in order, so `i` is at most the capacity. */
  ensure(i: number): void {
    if (i < this.cap) return;
    if (this.cap < CHUNK) {
      const next = Math.min(CHUNK, Math.max(FIRST, this.cap * 2));
      const grown = new Uint8Array(next);
      const old = this.chunks[0];
      if (old !== undefined) grown.set(old);
      this.chunks[0] = grown;
      this.cap = next;
    } else {
      this.chunks.push(new Uint8Array(CHUNK));
      this.cap += CHUNK;
    }
  }

  get(i: number): number {
    return (this.chunks[i >>> BITS] as Uint8Array)[i & MASK] as number;
  }

  set(i: number, v: number): void {
    (this.chunks[i >>> BITS] as Uint8Array)[i & MASK] = v;
  }
}

/** How a column's cells are stored. */
interface CellStore {
  ensure(i: number): void;
  /** Copies cell `r` of `col` into row `i`. */
  write(i: number, col: Column, type: LogicalType, r: number): void;
  writeValue(i: number, v: Value): void;
  read(i: number): Value;
  /** Releases what row `i` holds (its string bytes, its object). */
  clear(i: number): void;
}

const TWO_53 = 2 ** 53;
const NULL = 0;
const NUMBER = 1;
const OTHER = 2;

/**
 * Number-valued types (BOOLEAN to DOUBLE, BIGINT/DECIMAL unscaled, TIMESTAMP(p <= 3), INTERVAL) as doubles. A
 * BIGINT or DECIMAL outside the exact-double range keeps its bigint in a side map (a wide batch is rare). Cells
 * read back as numbers (booleans as booleans): column builders and row identities take BIGINT 5 and 5n alike.
 */
class NumberCells implements CellStore {
  private readonly values = new F64Chunks();
  private readonly tag = new U8Chunks();
  private wide: Map<number, Value> | null = null;

  constructor(private readonly bool: boolean) {}

  ensure(i: number): void {
    this.values.ensure(i);
    this.tag.ensure(i);
  }

  write(i: number, col: Column, type: LogicalType, r: number): void {
    if (!isValid(col.validity, r)) {
      this.tag.set(i, NULL);
      return;
    }
    switch (col.kind) {
      case 'bool':
      case 'i8':
      case 'i16':
      case 'i32':
      case 'f32':
      case 'f64':
        this.values.set(i, col.values[r] as number);
        this.tag.set(i, NUMBER);
        return;
      default:
        this.writeValue(i, getValue(col, type, r));
    }
  }

  writeValue(i: number, v: Value): void {
    if (v === null) this.tag.set(i, NULL);
    else if (typeof v === 'number') {
      this.values.set(i, v);
      this.tag.set(i, NUMBER);
    } else if (typeof v === 'boolean') {
      this.values.set(i, v ? 1 : 0);
      this.tag.set(i, NUMBER);
    } else if (typeof v === 'bigint' && v >= -TWO_53 && v <= TWO_53) {
      this.values.set(i, Number(v));
      this.tag.set(i, NUMBER);
    } else {
      (this.wide ??= new Map()).set(i, v);
      this.tag.set(i, OTHER);
    }
  }

  read(i: number): Value {
    const t = this.tag.get(i);
    if (t === NUMBER) {
      const v = this.values.get(i);
      return this.bool ? v !== 0 : v;
    }
    return t === NULL ? null : ((this.wide as Map<number, Value>).get(i) as Value);
  }

  clear(i: number): void {
    if (this.tag.get(i) === OTHER) (this.wide as Map<number, Value>).delete(i);
    this.tag.set(i, NULL);
  }
}

/**
 * Any other type (CHAR/VARCHAR, TIMESTAMP(p > 3), BINARY, ROW, ARRAY, MAP): the cell's Value in chunked arrays.
 * Strings are kept as the batch's string objects. Copying them into a byte pool was measured and lost: q7 at
 * 3 M events ran at 324 K events/CPU-s with a pool and 433 K without, and took 618 MB against 472 MB, because
 * the generator's `extra` strings are slices of one shared text (a 20-byte object each), which a copy makes
 * 100 bytes, and writing each (Buffer.write) cost more than the garbage collector spends on the slices.
 */
class ValueCells implements CellStore {
  private readonly chunks: Value[][] = [];
  private cap = 0;

  ensure(i: number): void {
    if (i < this.cap) return;
    this.chunks.push(new Array<Value>(CHUNK).fill(null));
    this.cap += CHUNK;
  }

  write(i: number, col: Column, type: LogicalType, r: number): void {
    const v =
      col.kind === 'str' && isValid(col.validity, r) ? (col.values[r] as string) : getValue(col, type, r);
    (this.chunks[i >>> BITS] as Value[])[i & MASK] = v;
  }

  writeValue(i: number, v: Value): void {
    (this.chunks[i >>> BITS] as Value[])[i & MASK] = v;
  }

  read(i: number): Value {
    return (this.chunks[i >>> BITS] as Value[])[i & MASK] as Value;
  }

  clear(i: number): void {
    (this.chunks[i >>> BITS] as Value[])[i & MASK] = null;
  }
}

function cellStore(t: LogicalType): CellStore {
  switch (t.kind) {
    case 'BOOLEAN':
      return new NumberCells(true);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
    case 'FLOAT':
    case 'DOUBLE':
    case 'BIGINT':
    case 'DECIMAL':
    case 'INTERVAL':
      return new NumberCells(false);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return t.precision <= 3 ? new NumberCells(false) : new ValueCells();
    case 'CHAR':
    case 'VARCHAR':
      return new ValueCells();
    default:
      return new ValueCells();
  }
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * Join key -> slot. Number keys (every single-column numeric key: q7's price) go into an open-addressing table
 * whose entries are (key, slot) pairs side by side in one Float64Array, so a look-up is one cache miss for a
 * key seen before; a Map of millions of number keys took two or three, and was a third of storing a q7 bid.
 * Other keys (strings of composite keys, wide BIGINTs, booleans, NULL) use a Map.
 */
class KeySlots {
  private table = new Float64Array(2 * 64).fill(-1);
  private mask = 63;
  private used = 0; // entries holding a slot or a tombstone
  private readonly others = new Map<Key, number>();

  get(key: Key): number {
    if (typeof key !== 'number') return this.others.get(key) ?? -1;
    const k = canonical(key);
    const t = this.table;
    for (let e = hash(k) & this.mask; ; e = (e + 1) & this.mask) {
      const slot = t[2 * e + 1] as number;
      if (slot === EMPTY) return -1;
      if (slot >= 0 && sameKey(t[2 * e] as number, k)) return slot;
    }
  }

  set(key: Key, slot: number): void {
    if (typeof key !== 'number') {
      this.others.set(key, slot);
      return;
    }
    if (2 * (this.used + 1) > this.mask + 1) this.rehash();
    const k = canonical(key);
    const t = this.table;
    let e = hash(k) & this.mask;
    while ((t[2 * e + 1] as number) >= 0) e = (e + 1) & this.mask;
    if (t[2 * e + 1] === EMPTY) this.used++;
    t[2 * e] = k;
    t[2 * e + 1] = slot;
  }

  delete(key: Key): void {
    if (typeof key !== 'number') {
      this.others.delete(key);
      return;
    }
    const k = canonical(key);
    const t = this.table;
    for (let e = hash(k) & this.mask; ; e = (e + 1) & this.mask) {
      const slot = t[2 * e + 1] as number;
      if (slot === EMPTY) return;
      if (slot >= 0 && sameKey(t[2 * e] as number, k)) {
        t[2 * e + 1] = TOMBSTONE;
        return;
      }
    }
  }

  /** Doubles the table when half of it holds entries (live or tombstones), dropping the tombstones. */
  private rehash(): void {
    const old = this.table;
    let live = 0;
    for (let e = 1; e < old.length; e += 2) if ((old[e] as number) >= 0) live++;
    let cap = this.mask + 1;
    while (4 * (live + 1) > cap) cap *= 2;
    const t = new Float64Array(2 * cap).fill(-1);
    const mask = cap - 1;
    for (let e = 0; e < old.length; e += 2) {
      const slot = old[e + 1] as number;
      if (slot < 0) continue;
      const k = old[e] as number;
      let f = hash(k) & mask;
      while ((t[2 * f + 1] as number) >= 0) f = (f + 1) & mask;
      t[2 * f] = k;
      t[2 * f + 1] = slot;
    }
    this.table = t;
    this.mask = mask;
    this.used = live;
  }
}

const EMPTY = -1;
const TOMBSTONE = -2;

/** Keys equal as a Map's SameValueZero sees them hash alike: -0 is 0, every NaN the same NaN. */
function canonical(k: number): number {
  return k === 0 ? 0 : k !== k ? Number.NaN : k;
}

function sameKey(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

function hash(k: number): number {
  bits[0] = k;
  let h = Math.imul((words[0] as number) ^ Math.imul(words[1] as number, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
}

/** The end of a chain. */
export const NONE = -1;

/** One stored row as a snapshot keeps it. */
export interface StoredRow {
  readonly key: Key;
  readonly row: Value[];
  readonly count: number;
  readonly assoc: number;
  readonly time: number;
}

/**
 * The rows of one join input. A row has an index; the rows of a join key form a doubly linked chain in arrival
 * order (`first`, `next`). With `counted` (outer sides, SEMI/ANTI's left, any side under a state TTL) a row also
 * has a multiplicity, a match count (`assoc`) and a last-write time; without, every stored row counts once.
 */
export class JoinSideState {
  private readonly cells: CellStore[];
  private readonly types: LogicalType[];
  private readonly slots = new KeySlots();
  /** Per slot its chain's head and tail, side by side (one cache line for both). */
  private ends = new Int32Array(32);
  private slotKeys: Key[] = [];
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private readonly nextRow = new I32Chunks();
  private readonly prevRow = new I32Chunks();
  /** The row's key slot, or -1 for a free row index. */
  private readonly slotOf = new I32Chunks();
  private readonly counts: I32Chunks | null;
  private readonly assocs: I32Chunks | null;
  private readonly times: F64Chunks | null;
  private freeRows = new Int32Array(16);
  private freeCount = 0;
  private rows = 0; // row indexes handed out so far (live or free)
  private cap = 0;
  /** Rows stored, with multiplicity. */
  size = 0;

  constructor(
    schema: Schema,
    readonly counted: boolean,
  ) {
    this.types = schema.fields.map((f) => f.type);
    this.cells = this.types.map(cellStore);
    this.counts = counted ? new I32Chunks() : null;
    this.assocs = counted ? new I32Chunks() : null;
    this.times = counted ? new F64Chunks() : null;
  }

  /** The first row of `key`'s chain, or NONE. */
  first(key: Key): number {
    const s = this.slots.get(key);
    return s < 0 ? NONE : (this.ends[2 * s] as number);
  }

  next(row: number): number {
    return this.nextRow.get(row);
  }

  count(row: number): number {
    return this.counts === null ? 1 : this.counts.get(row);
  }

  assoc(row: number): number {
    return this.assocs === null ? -1 : this.assocs.get(row);
  }

  time(row: number): number {
    return this.times === null ? 0 : this.times.get(row);
  }

  setCount(row: number, n: number): void {
    const d = n - this.count(row);
    (this.counts as I32Chunks).set(row, n);
    this.size += d;
  }

  setAssoc(row: number, n: number, now: number): void {
    (this.assocs as I32Chunks).set(row, n);
    (this.times as F64Chunks).set(row, now);
  }

  touch(row: number, now: number): void {
    (this.times as F64Chunks).set(row, now);
  }

  /** Stores row `r` of `batch` at the end of `key`'s chain; returns its index. */
  add(key: Key, batch: RecordBatch, r: number, assoc: number, now: number): number {
    const i = this.allocate(key, assoc, now);
    const cols = batch.columns;
    const cells = this.cells;
    for (let c = 0; c < cells.length; c++) {
      (cells[c] as CellStore).write(i, cols[c] as Column, this.types[c] as LogicalType, r);
    }
    return i;
  }

  /** Stores a row given as values (restore, tests). */
  addValues(key: Key, row: readonly Value[], count: number, assoc: number, now: number): number {
    const i = this.allocate(key, assoc, now);
    for (let c = 0; c < this.cells.length; c++) (this.cells[c] as CellStore).writeValue(i, row[c] ?? null);
    if (count !== 1) this.setCount(i, count);
    return i;
  }

  /** The row's values (a fresh array). */
  row(i: number): Value[] {
    const n = this.cells.length;
    const out = new Array<Value>(n);
    for (let c = 0; c < n; c++) out[c] = (this.cells[c] as CellStore).read(i);
    return out;
  }

  /** One cell of row `i`. */
  cell(i: number, c: number): Value {
    return (this.cells[c] as CellStore).read(i);
  }

  /** Takes row `i` out of its chain and frees its index. */
  remove(i: number): void {
    const s = this.slotOf.get(i);
    const prev = this.prevRow.get(i);
    const next = this.nextRow.get(i);
    if (prev === NONE) this.ends[2 * s] = next;
    else this.nextRow.set(prev, next);
    if (next === NONE) this.ends[2 * s + 1] = prev;
    else this.prevRow.set(next, prev);
    if (this.ends[2 * s] === NONE) {
      this.slots.delete(this.slotKeys[s] as Key);
      this.slotKeys[s] = null;
      this.freeSlots.push(s);
    }
    this.size -= this.count(i);
    this.slotOf.set(i, -1);
    for (let c = 0; c < this.cells.length; c++) (this.cells[c] as CellStore).clear(i);
    if (this.freeCount === this.freeRows.length) {
      const grown = new Int32Array(this.freeCount * 2);
      grown.set(this.freeRows);
      this.freeRows = grown;
    }
    this.freeRows[this.freeCount++] = i;
  }

  /** Every stored row, key by key in the order keys first arrived (a snapshot's content). */
  *entries(): Generator<StoredRow> {
    for (let s = 0; s < this.nextSlot; s++) {
      const key = this.slotKeys[s] as Key;
      for (let i = this.ends[2 * s] as number; i !== NONE; i = this.nextRow.get(i)) {
        yield { key, row: this.row(i), count: this.count(i), assoc: this.assoc(i), time: this.time(i) };
      }
    }
  }

  /** Every key with rows (for sweeps: keys may be removed while iterating the returned array). */
  keys(): Key[] {
    const out: Key[] = [];
    for (let s = 0; s < this.nextSlot; s++) if (this.ends[2 * s] !== NONE) out.push(this.slotKeys[s] as Key);
    return out;
  }

  private allocate(key: Key, assoc: number, now: number): number {
    let i: number;
    if (this.freeCount > 0) i = this.freeRows[--this.freeCount] as number;
    else {
      i = this.rows++;
      if (i >= this.cap) this.grow(i);
    }
    let s = this.slots.get(key);
    if (s < 0) {
      s = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.newSlot();
      this.slots.set(key, s);
      this.slotKeys[s] = key;
      this.ends[2 * s] = i;
      this.prevRow.set(i, NONE);
    } else {
      const t = this.ends[2 * s + 1] as number;
      this.nextRow.set(t, i);
      this.prevRow.set(i, t);
    }
    this.ends[2 * s + 1] = i;
    this.nextRow.set(i, NONE);
    this.slotOf.set(i, s);
    if (this.counts !== null) {
      this.counts.set(i, 1);
      (this.assocs as I32Chunks).set(i, assoc);
      (this.times as F64Chunks).set(i, now);
    }
    this.size++;
    return i;
  }

  private grow(i: number): void {
    this.nextRow.ensure(i);
    this.prevRow.ensure(i);
    this.slotOf.ensure(i);
    this.counts?.ensure(i);
    this.assocs?.ensure(i);
    this.times?.ensure(i);
    for (const c of this.cells) c.ensure(i);
    this.cap = i < CHUNK ? Math.min(CHUNK, Math.max(FIRST, this.cap * 2)) : this.cap + CHUNK;
  }

  private newSlot(): number {
    const s = this.nextSlot++;
    if (2 * s === this.ends.length) {
      const e = new Int32Array(4 * s);
      e.set(this.ends);
      this.ends = e;
    }
    return s;
  }
}
