// Streaming Top-N (ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) filtered to a rank range), keyed by the partition
// columns. It takes a changelog of rows in and hands on the changelog of the Top-N result, exactly as Flink's
// AppendOnlyTopNFunction (insert-only input: keeps only the top rows) and RetractableTopNFunction (changelog
// input: keeps every row, since a retraction can pull a row from beyond the range into it) do. Without the rank
// number column a row that merely moves within the range is not re-emitted; with it, every shifted rank is an
// update. Also home of the sort-key comparator and the changelog output builder the other ranking operators share.
import { deserialize } from 'node:v8';
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, getValue, type Column, type Value } from '../batch/column.js';
import { allValid, isValid, setValid, validityBytes } from '../batch/validity.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { KeyedSections, keyedMapsOrLegacy } from '../state/key-grouped-snapshot.js';
import { isAccumulate, RowKind } from '../types/row-kind.js';
import type { LogicalType } from '../types/logical-type.js';
import type { Schema } from '../types/schema.js';
import { columnsKeySelector } from './keys.js';

/** One ORDER BY item: an input column, its direction, and where NULLs go (independently of the direction). */
export interface SortKey {
  readonly col: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export type RankType = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

type Row = Value[];

export interface RankConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  readonly rankType: RankType;
  /** 1-based, inclusive. */
  readonly rankStart: number;
  /** 1-based, inclusive; must be finite (Flink: "Rank end is not specified" otherwise). */
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  /** The input's fields, then `rank BIGINT NOT NULL` when `outputRankNumber`. */
  readonly outputSchema: Schema;
  /** Chooses AppendOnlyTopNFunction (true) or RetractableTopNFunction (false) semantics. */
  readonly inputInsertOnly: boolean;
  readonly generateUpdateBefore: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering of values and rows

/**
 * Total order of two non-null values of one SQL type: numbers and bigints numerically (NaN last, as Java's
 * Double.compare), strings by UTF-16 code units (Flink compares UTF-8 bytes: the orders differ only between
 * surrogate pairs and U+E000..U+FFFF), booleans false < true, bytes unsigned lexicographically, arrays and rows
 * element by element.
 */
export function compareForOrder(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const ta = typeof a;
  if ((ta === 'number' || ta === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = a as number | bigint;
    if (x !== x) return b !== b ? 0 : 1; // NaN
    if (b !== b) return -1;
    return x < b ? -1 : x > b ? 1 : 0;
  }
  if (ta === 'string') return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ta === 'boolean') return a === false ? -1 : 1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compareForOrder(a[i] as Value, b[i] as Value);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Content equality of two rows (Flink's RecordEqualiser): what a retraction is matched against. */
export function rowsEqual(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valueEquals(a[i] as Value, b[i] as Value)) return false;
  return true;
}

function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a !== a && b !== b;
  // State rows keep exact BIGINT/DECIMAL cells as numbers, wide ones as bigints: compare them by value.
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return a == b;
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a as ReadonlyMap<Value, Value>)
      if (!valueEquals(v, (b as ReadonlyMap<Value, Value>).get(k) ?? null)) return false;
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object') return compareForOrder(a, b) === 0;
  return false;
}

/**
 * Compares two rows on `keys`. `positional` rows hold just the sort-key values (index i is keys[i]); otherwise
 * they are whole input rows read at each key's column.
 */
export function compareOn(
  keys: readonly SortKey[],
  a: readonly Value[],
  b: readonly Value[],
  positional: boolean,
): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as SortKey;
    const va = (positional ? a[i] : a[k.col]) as Value;
    const vb = (positional ? b[i] : b[k.col]) as Value;
    if (va === null || vb === null) {
      if (va === vb) continue;
      // NULLS FIRST/LAST is a position, not a value: it does not flip with DESC.
      return (va === null) === k.nullsFirst ? -1 : 1;
    }
    const c = compareForOrder(va, vb);
    if (c !== 0) return k.descending ? -c : c;
  }
  return 0;
}

/**
 * One cell as a value to keep or compare: as `getValue`, except that cells of the exact-double layout (BIGINT,
 * DECIMAL unscaled) stay numbers instead of becoming one bigint each. Comparisons and writers here take both.
 */
export function cellAt(c: Column, type: LogicalType, r: number): Value {
  if (c.validity !== null && !isValid(c.validity, r)) return null;
  switch (c.kind) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
    case 'f64':
    case 'str':
      return c.values[r] as number | string;
    case 'bool':
      return c.values[r] !== 0;
    default:
      return getValue(c, type, r);
  }
}

/** Reads the sort-key values of row `r` (a few cells, not the whole row: most rows of a Top-N are rejected). */
export function sortKeyAt(batch: RecordBatch, keys: readonly SortKey[], r: number): Value[] {
  const out = new Array<Value>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const c = (keys[i] as SortKey).col;
    out[i] = cellAt(batch.columns[c] as Column, batch.schema.field(c).type, r);
  }
  return out;
}

/** Compares row `r`'s sort key with a stored one, reading the cells in place (no key array allocated). */
export function compareRowToKey(
  batch: RecordBatch,
  keys: readonly SortKey[],
  r: number,
  key: readonly Value[],
): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as SortKey;
    const va = cellAt(batch.columns[k.col] as Column, batch.schema.field(k.col).type, r);
    const vb = key[i] as Value;
    if (va === null || vb === null) {
      if (va === vb) continue;
      return (va === null) === k.nullsFirst ? -1 : 1;
    }
    const c = compareForOrder(va, vb);
    if (c !== 0) return k.descending ? -c : c;
  }
  return 0;
}

/** A time column as epoch-ms doubles (TIMESTAMP(3)/TIMESTAMP_LTZ(3)/BIGINT), null cells as NaN. */
export function timesOf(batch: RecordBatch, col: number): Float64Array {
  const c = batch.columns[col] as Column;
  if ((c.kind === 'f64' || c.kind === 'ts') && c.validity === null) return c.values;
  const t = batch.schema.field(col).type;
  const out = new Float64Array(batch.length);
  for (let r = 0; r < batch.length; r++) {
    const v = getValue(c, t, r);
    out[r] =
      v === null ? Number.NaN : typeof v === 'bigint' && c.kind === 'ts' ? Number(v / 1_000_000n) : Number(v);
  }
  return out;
}

/** A KeySelector on the given input columns, named after them. */
export function partitionSelector(schema: Schema, cols: readonly number[]): KeySelector {
  return columnsKeySelector(
    cols,
    cols.map((c) => schema.field(c).name),
  );
}

/**
 * Row `r` of a batch as values to keep in state: as `rowAt`, except that BIGINT and DECIMAL cells of the
 * exact-double layout stay numbers (no bigint allocated per cell; wide cells are bigints). Everything in this
 * module that compares or writes rows takes both forms.
 */
export function stateRowAt(batch: RecordBatch, r: number): Value[] {
  const cols = batch.columns;
  const fields = batch.schema.fields;
  const out = new Array<Value>(cols.length);
  for (let i = 0; i < cols.length; i++)
    out[i] = cellAt(cols[i] as Column, (fields[i] as { type: LogicalType }).type, r);
  return out;
}

const EXACT_MIN = -(2n ** 53n);
const EXACT_MAX = 2n ** 53n;

/**
 * Appends the values of one column. BIGINT and DECIMAL values (numbers or bigints) go straight into the
 * exact-double layout, switching to a ColumnBuilder (and its wide layout) only when a value leaves ±2^53; other
 * types go through a ColumnBuilder.
 */
export class CellWriter {
  private f64: Float64Array | null = null;
  private validity: Uint8Array | null = null;
  private n = 0;
  private fallback: ColumnBuilder | null = null;

  constructor(
    readonly type: LogicalType,
    capacity = 64,
  ) {
    if (type.kind === 'BIGINT' || type.kind === 'DECIMAL') this.f64 = new Float64Array(Math.max(1, capacity));
    else this.fallback = new ColumnBuilder(type, capacity);
  }

  append(v: Value): void {
    if (this.fallback !== null) {
      this.fallback.append(v);
      return;
    }
    let f = this.f64 as Float64Array;
    const i = this.n;
    if (i === f.length) {
      const g = new Float64Array(f.length * 2);
      g.set(f);
      this.f64 = f = g;
      if (this.validity !== null) {
        const w = new Uint8Array(validityBytes(g.length));
        w.set(this.validity);
        this.validity = w;
      }
    }
    if (v === null) {
      if (this.validity === null) this.validity = allValid(i, f.length);
      setValid(this.validity, i, false);
      f[i] = 0;
    } else if (typeof v === 'number' || (typeof v === 'bigint' && v >= EXACT_MIN && v <= EXACT_MAX)) {
      if (this.validity !== null) setValid(this.validity, i, true);
      f[i] = Number(v);
    } else {
      // A value beyond the exact-double range: replay into a builder that widens the column.
      const b = new ColumnBuilder(this.type, f.length);
      for (let j = 0; j < i; j++) b.append(isValid(this.validity, j) ? BigInt(f[j] as number) : null);
      b.append(v);
      this.fallback = b;
      this.f64 = null;
      return;
    }
    this.n = i + 1;
  }

  finish(): Column {
    if (this.fallback !== null) return this.fallback.finish();
    const n = this.n;
    return {
      kind: 'f64',
      values: (this.f64 as Float64Array).slice(0, n),
      validity: this.validity === null ? null : this.validity.slice(0, validityBytes(n)),
    };
  }
}

/** Rows kept in state (see `stateRowAt`) as one insert-only batch of `schema`. */
export function rowsToBatch(schema: Schema, rows: readonly (readonly Value[])[]): RecordBatch {
  const writers = schema.fields.map((f) => new CellWriter(f.type, rows.length));
  for (const row of rows)
    for (let i = 0; i < writers.length; i++) (writers[i] as CellWriter).append(row[i] as Value);
  return makeBatch(
    schema,
    writers.map((w) => w.finish()),
    rows.length,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/**
 * Builds one output batch of a changelog: rows of `dataWidth` values, each optionally followed by one extra
 * value (a rank number), with a row kind per row. Operators flush it once per input batch or watermark.
 */
export class ChangelogBuilder {
  private builders: CellWriter[];
  private kinds: number[] = [];

  constructor(
    readonly schema: Schema,
    private readonly dataWidth: number,
  ) {
    if (schema.size !== dataWidth && schema.size !== dataWidth + 1) {
      throw new Error(`output schema ${schema.toString()} must have ${dataWidth} or ${dataWidth + 1} fields`);
    }
    this.builders = this.fresh();
  }

  private fresh(): CellWriter[] {
    return this.schema.fields.map((f) => new CellWriter(f.type, 64));
  }

  get length(): number {
    return this.kinds.length;
  }

  add(row: readonly Value[], kind: number, extra: Value = null): void {
    const bs = this.builders;
    for (let i = 0; i < this.dataWidth; i++) (bs[i] as CellWriter).append(row[i] as Value);
    if (bs.length > this.dataWidth) (bs[this.dataWidth] as CellWriter).append(extra);
    this.kinds.push(kind);
  }

  /** Emits what was added (if anything) as one batch and starts over. */
  flush(out: Output): void {
    const n = this.kinds.length;
    if (n === 0) return;
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      n,
      Uint8Array.from(this.kinds),
    );
    this.builders = this.fresh();
    this.kinds = [];
    out.emitBatch(batch);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The sorted buffer of one partition

/** Rows of one sort key, in arrival order (ties keep it: the earlier row has the smaller row number). */
export interface SortedEntry {
  readonly key: Value[];
  readonly rows: Value[][];
}

/**
 * Flink's TopNBuffer: sort key → rows, ascending by the ORDER BY, kept in a sorted array (binary search, then a
 * splice; partitions of a Top-N are small, and this keeps the state plain data for the snapshot).
 */
export class TopNBuffer {
  size: number;

  constructor(
    private readonly keys: readonly SortKey[],
    readonly entries: SortedEntry[] = [],
  ) {
    let n = 0;
    for (const e of entries) n += e.rows.length;
    this.size = n;
  }

  /** Index of the entry with this sort key, or -(insertion point) - 1. */
  find(key: readonly Value[]): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareOn(this.keys, (this.entries[mid] as SortedEntry).key, key, true);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Appends a row under its sort key (after its ties). */
  put(key: Value[], row: Row): void {
    const i = this.find(key);
    if (i >= 0) (this.entries[i] as SortedEntry).rows.push(row);
    else this.entries.splice(-i - 1, 0, { key, rows: [row] });
    this.size++;
  }

  /** Whether a row with this sort key belongs in a buffer that keeps the top `topN` (TopNBuffer's check). */
  inRange(key: readonly Value[], topN: number): boolean {
    const last = this.entries[this.entries.length - 1];
    if (last === undefined) return true;
    return compareOn(this.keys, key, last.key, true) < 0 || this.size < topN;
  }

  /** Drops the entries from index `from` on. */
  truncate(from: number): void {
    for (let i = from; i < this.entries.length; i++)
      this.size -= (this.entries[i] as SortedEntry).rows.length;
    this.entries.length = from;
  }

  removeEntry(i: number): void {
    this.size -= (this.entries[i] as SortedEntry).rows.length;
    this.entries.splice(i, 1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The operator

type Snapshot = Map<Key, SortedEntry[]>;

export class RankOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: per partition key, its sorted rows (the top rows only for an insert-only input).
  private partitions = new Map<Key, TopNBuffer>();
  // Transient.
  private output: Output | null = null;
  /** Key groups of the snapshot (the subtask's max parallelism). */
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  private readonly keySelector: KeySelector;
  private readonly out: ChangelogBuilder;
  private readonly keys: readonly SortKey[];
  private readonly rankStart: number;
  private readonly rankEnd: number;
  /** Flink's "without-number" algorithm cannot handle an offset, so an offset uses the row-number one. */
  private readonly withRowNumber: boolean;
  private readonly withRank: boolean;
  private readonly updateBefore: boolean;
  private readonly insertOnly: boolean;

  constructor(cfg: RankConfig) {
    // Flink's AbstractTopNFunction rejects these on streaming tables (only the window Top-N ranks them).
    if (cfg.rankType === 'RANK') throw new Error('RANK() on streaming table is not supported currently');
    if (cfg.rankType === 'DENSE_RANK')
      throw new Error('DENSE_RANK() on streaming table is not supported currently');
    if (!Number.isFinite(cfg.rankEnd)) {
      throw new Error(
        'Rank end is not specified. Currently rank only support TopN, which means the rank end must be specified.',
      );
    }
    if (!(cfg.rankStart >= 1) || cfg.rankEnd < cfg.rankStart) {
      throw new Error(`${cfg.name}: invalid rank range [${cfg.rankStart}, ${cfg.rankEnd}]`);
    }
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.keys = cfg.orderKeys;
    this.rankStart = cfg.rankStart;
    this.rankEnd = cfg.rankEnd;
    this.withRank = cfg.outputRankNumber;
    this.withRowNumber = cfg.outputRankNumber || cfg.rankStart > 1;
    this.updateBefore = cfg.generateUpdateBefore;
    this.insertOnly = cfg.inputInsertOnly;
    this.keySelector = partitionSelector(cfg.inputSchema, cfg.partitionKeys);
    this.out = new ChangelogBuilder(cfg.outputSchema, cfg.inputSchema.size);
    if (cfg.outputRankNumber !== (cfg.outputSchema.size === cfg.inputSchema.size + 1)) {
      throw new Error(
        `${cfg.name}: the output schema must be the input's fields${cfg.outputRankNumber ? ' and the rank number' : ''}`,
      );
    }
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const pkeys = this.keySelector.keysOf(batch);
    const kinds = batch.kinds;
    for (let r = 0; r < batch.length; r++) {
      const pk = pkeys[r] as Key;
      let buf = this.partitions.get(pk);
      if (buf === undefined) {
        buf = new TopNBuffer(this.keys);
        this.partitions.set(pk, buf);
      }
      const kind = kinds[r] as number;
      if (this.insertOnly) {
        if (!isAccumulate(kind)) {
          throw new Error(
            `${this.name}: a ${kind === RowKind.DELETE ? '-D' : '-U'} row reached a Top-N planned for an insert-only input`,
          );
        }
        // TopNBuffer.checkSortKeyInBufferRange, read in place: most rows of a long stream miss a full top N.
        const last = buf.entries[buf.entries.length - 1];
        if (
          last !== undefined &&
          buf.size >= this.rankEnd &&
          compareRowToKey(batch, this.keys, r, last.key) >= 0
        )
          continue;
        this.appendOnly(buf, sortKeyAt(batch, this.keys, r), batch, r);
        continue;
      }
      const sortKey = sortKeyAt(batch, this.keys, r);
      if (isAccumulate(kind)) {
        const row = stateRowAt(batch, r);
        buf.put(sortKey, row);
        if (this.withRowNumber) this.emitWithRowNumber(buf, sortKey, row);
        else this.emitWithoutRowNumber(buf, sortKey, row);
      } else {
        const row = stateRowAt(batch, r);
        const removed = this.withRowNumber
          ? this.retractWithRowNumber(buf, sortKey, row)
          : this.retractWithoutRowNumber(buf, sortKey, row);
        if (!removed) this.removeRow(buf, sortKey, row);
      }
      if (buf.size === 0) this.partitions.delete(pk);
    }
    this.out.flush(this.output as Output);
  }

  // -- AppendOnlyTopNFunction ------------------------------------------------------------------------------------

  private appendOnly(buf: TopNBuffer, sortKey: Value[], batch: RecordBatch, r: number): void {
    if (!buf.inRange(sortKey, this.rankEnd)) return;
    const row = stateRowAt(batch, r);
    buf.put(sortKey, row);
    if (this.withRowNumber) {
      const kept = this.emitWithRowNumber(buf, sortKey, row);
      // Entries wholly past the range can never come back (no retractions): drop them.
      buf.truncate(kept);
    } else if (buf.size > this.rankEnd) {
      const lastEntry = buf.entries[buf.entries.length - 1] as SortedEntry;
      const last = lastEntry.rows.pop() as Row;
      buf.size--;
      if (lastEntry.rows.length === 0) buf.entries.pop();
      // The new row itself was the one pushed out (a tie at the end): nothing changes downstream.
      if (last === row) return;
      this.out.add(last, RowKind.DELETE);
      this.out.add(row, RowKind.INSERT);
    } else {
      this.out.add(row, RowKind.INSERT);
    }
  }

  // -- Shared by both: the new row is already in the buffer --------------------------------------------------------

  /**
   * Emits the rank shifts a new row causes: every row after it within the range moves down one rank (-U old
   * rank row / +U row now at that rank), and the last one is an insert if the range was not full. Returns the
   * index of the first entry the walk did not reach (all past the range).
   */
  private emitWithRowNumber(buf: TopNBuffer, sortKey: readonly Value[], row: Row): number {
    const entries = buf.entries;
    const end = this.rankEnd;
    let rank = 0;
    let found = false;
    let current: Row = row;
    let i = 0;
    for (; i < entries.length && rank <= end; i++) {
      const e = entries[i] as SortedEntry;
      if (!found && compareOn(this.keys, e.key, sortKey, true) === 0) {
        rank += e.rows.length;
        found = true;
      } else if (found) {
        const rows = e.rows;
        for (let j = 0; j < rows.length && rank <= end; j++) {
          const prev = rows[j] as Row;
          this.collect(prev, RowKind.UPDATE_BEFORE, rank);
          this.collect(current, RowKind.UPDATE_AFTER, rank);
          current = prev;
          rank++;
        }
      } else {
        rank += e.rows.length;
      }
    }
    if (rank <= end) this.collect(current, RowKind.INSERT, rank);
    return i;
  }

  /** RetractableTopNFunction.emitRecordsWithoutRowNumber: the new row in, the row it pushes past the end out. */
  private emitWithoutRowNumber(buf: TopNBuffer, sortKey: readonly Value[], row: Row): void {
    const entries = buf.entries;
    const end = this.rankEnd;
    let rank = 0;
    let found = false;
    let toCollect = false;
    let toDelete: Row | null = null;
    for (let i = 0; i < entries.length && rank <= end; i++) {
      const e = entries[i] as SortedEntry;
      if (!found && compareOn(this.keys, e.key, sortKey, true) === 0) {
        rank += e.rows.length;
        toCollect = rank >= this.rankStart && rank <= end;
        found = true;
      } else if (found) {
        const lastRank = rank + e.rows.length;
        if (lastRank <= end) {
          rank = lastRank;
        } else {
          toDelete = e.rows[end - rank] as Row;
          break;
        }
      } else {
        rank += e.rows.length;
      }
    }
    if (toDelete !== null) this.out.add(toDelete, RowKind.DELETE);
    if (toCollect) this.out.add(row, RowKind.INSERT);
  }

  // -- RetractableTopNFunction: retractions ----------------------------------------------------------------------

  /** Returns whether the retracted row was found (within the range) and removed from the buffer. */
  private retractWithRowNumber(buf: TopNBuffer, sortKey: readonly Value[], input: Row): boolean {
    const entries = buf.entries;
    const end = this.rankEnd;
    let rank = 0;
    let prev: Row | null = null;
    let found = false;
    let emptied = -1;
    for (let i = 0; i < entries.length && rank <= end; i++) {
      const e = entries[i] as SortedEntry;
      if (!found && compareOn(this.keys, e.key, sortKey, true) === 0) {
        const rows = e.rows;
        for (let j = 0; j < rows.length && rank <= end; j++) {
          const cur = rows[j] as Row;
          if (!found && rowsEqual(cur, input)) {
            prev = cur;
            found = true;
            rows.splice(j, 1);
            buf.size--;
            j--;
          } else if (found) {
            this.collect(prev as Row, RowKind.UPDATE_BEFORE, rank);
            this.collect(cur, RowKind.UPDATE_AFTER, rank);
            prev = cur;
          }
          rank++;
        }
        if (rows.length === 0) emptied = i;
      } else if (found) {
        const rows = e.rows;
        for (let j = 0; j < rows.length && rank <= end; j++) {
          const cur = rows[j] as Row;
          this.collect(prev as Row, RowKind.UPDATE_BEFORE, rank);
          this.collect(cur, RowKind.UPDATE_AFTER, rank);
          prev = cur;
          rank++;
        }
      } else {
        rank += e.rows.length;
      }
    }
    if (found && rank <= end) this.collect(prev as Row, RowKind.DELETE, rank);
    if (emptied >= 0) entries.splice(emptied, 1);
    return found;
  }

  /** RetractableTopNFunction.retractRecordWithoutRowNumber: the row out, the row it lets into the range in. */
  private retractWithoutRowNumber(buf: TopNBuffer, sortKey: readonly Value[], input: Row): boolean {
    const entries = buf.entries;
    const end = this.rankEnd;
    let next = 1;
    let found = false;
    let emptied = -1;
    for (let i = 0; i < entries.length && next <= end; i++) {
      const e = entries[i] as SortedEntry;
      if (!found && compareOn(this.keys, e.key, sortKey, true) === 0) {
        const rows = e.rows;
        for (let j = 0; j < rows.length && next <= end; j++) {
          const cur = rows[j] as Row;
          if (!found && rowsEqual(cur, input)) {
            this.out.add(cur, RowKind.DELETE);
            next--;
            found = true;
            rows.splice(j, 1);
            buf.size--;
            j--;
          } else if (found && next === end) {
            this.out.add(cur, RowKind.INSERT);
          }
          next++;
        }
        if (rows.length === 0) emptied = i;
      } else if (found) {
        const lastRank = next + e.rows.length - 1;
        if (lastRank < end) {
          next = lastRank + 1;
        } else {
          // The row that moves up into the last rank.
          this.out.add(e.rows[end - next] as Row, RowKind.INSERT);
          break;
        }
      } else {
        next += e.rows.length;
      }
    }
    if (emptied >= 0) entries.splice(emptied, 1);
    return found;
  }

  /** A retraction of a row outside the range (or unknown): update the state only. */
  private removeRow(buf: TopNBuffer, sortKey: readonly Value[], input: Row): void {
    const i = buf.find(sortKey);
    if (i < 0) return; // Flink logs "Attempt to retract non-existed record" and goes on.
    const rows = (buf.entries[i] as SortedEntry).rows;
    for (let j = 0; j < rows.length; j++) {
      if (rowsEqual(rows[j] as Row, input)) {
        rows.splice(j, 1);
        buf.size--;
        if (rows.length === 0) buf.entries.splice(i, 1);
        return;
      }
    }
  }

  /** AbstractTopNFunction.collect*: only ranks inside [rankStart, rankEnd] reach the output; -U only if asked. */
  private collect(row: Row, kind: number, rank: number): void {
    if (rank < this.rankStart || rank > this.rankEnd) return;
    if (kind === RowKind.UPDATE_BEFORE && !this.updateBefore) return;
    this.out.add(row, kind, this.withRank ? BigInt(rank) : null);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  setup(ctx: OperatorContext): void {
    this.maxParallelism = ctx.maxParallelism;
  }

  /** Key-grouped by partition key (the exchange's key), so a restore at another parallelism can split it. */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.maxParallelism);
    for (const [k, b] of this.partitions) sections.add('p', k, b.entries);
    return sections.encode();
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    // Before key groups the snapshot was one opaque map (restorable at its own parallelism only).
    const entries =
      grouped === null
        ? (deserialize(bytes) as Snapshot)
        : ((grouped.maps['p'] ?? []) as [Key, SortedEntry[]][]);
    this.partitions = new Map();
    for (const [k, e] of entries) this.partitions.set(k, new TopNBuffer(this.keys, e));
  }

  /** The number of rows held (all partitions): what a test or a metric can check the state's bound against. */
  stateSize(): number {
    let n = 0;
    for (const b of this.partitions.values()) n += b.size;
    return n;
  }

  finish(): void {}

  close(): void {
    this.partitions.clear();
  }
}
