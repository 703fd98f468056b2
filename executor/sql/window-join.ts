// The window join of SQL (two window-TVF inputs joined on window_start, window_end and keys), Flink's
// WindowJoinOperator: rows of both insert-only inputs are buffered per (window_end, join key) and joined once,
// when the watermark reaches window_end - 1; the buffers are then dropped. Nothing is emitted before a window
// fires, so the output is insert-only: pairs, NULL-padded rows of outer sides, or left rows for SEMI/ANTI.
// Rows of windows that have fired are late: dropped and counted.
//
// Columnar: a window keeps each side's rows as the input's own batches (a batch is copied only when its rows
// belong to several windows or some are late), and a key's rows as a chain of row numbers in typed arrays. A
// firing window gathers the candidate pairs' columns once (typed-array gathers, no row objects), runs the
// condition over them, and gathers the output rows the same way.
import { deserialize } from 'node:v8';
import { batchFromRows, makeBatch, rowAt, takeRows, type RecordBatch } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { ColumnBuilder, takeColumn, type Column, type Value } from '../batch/column.js';
import { validityBytes } from '../batch/validity.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { KeyedSections, keyedMapsOrLegacy } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import {
  checkJoinConfig,
  isLeftOuter,
  isRightOuter,
  nullKeyMask,
  pairSchema,
  readTimes,
  type JoinCondition,
  type JoinType,
} from './join-common.js';
import { columnsKeySelector, keyOfValues } from './keys.js';

export interface WindowJoinConfig {
  readonly name: string;
  readonly type: JoinType;
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  /** The equi-keys besides the window (window_start/window_end equality is what the window columns give). */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** The window_end column of each input (epoch ms). */
  readonly leftWindowEnd: number;
  readonly rightWindowEnd: number;
  readonly condition: JoinCondition | null;
  readonly outputSchema: Schema;
}

/**
 * The rows of one join key in one window, as chains through the side's `next` array (row numbers in arrival
 * order); -1 ends a chain. A key with a NULL joins nothing but is still padded or anti-emitted.
 */
interface Bucket {
  lHead: number;
  lTail: number;
  lCount: number;
  rHead: number;
  rTail: number;
  rCount: number;
  readonly nullKey: boolean;
}

/** One side's rows of one window: the stored batches (row numbers run through them in order) and the chains. */
class SideRows {
  readonly pieces: RecordBatch[] = [];
  count = 0;
  next = new Int32Array(64);

  /** Appends `batch` (all of whose rows are this window's); returns the row number of its first row. */
  add(batch: RecordBatch): number {
    const first = this.count;
    this.pieces.push(batch);
    this.count += batch.length;
    if (this.next.length < this.count) {
      const grown = new Int32Array(Math.max(this.count, this.next.length * 2));
      grown.set(this.next);
      this.next = grown;
    }
    return first;
  }

  /** The rows as one batch, row i = row number i (null when the side has none). */
  batch(schema: Schema): RecordBatch | null {
    if (this.count === 0) return null;
    const ps = this.pieces;
    if (ps.length === 1) return ps[0] as RecordBatch;
    // concatBatches copies typed arrays as they are, so every piece must use the same layout per column (a
    // BIGINT is an exact double in one batch and 64-bit in another when its values need it); else by value.
    const first = ps[0] as RecordBatch;
    const same = ps.every((p) => p.columns.every((c, i) => c.kind === (first.columns[i] as Column).kind));
    if (same) return concatBatches(ps);
    const rows: Value[][] = [];
    const kinds: number[] = [];
    for (const p of ps) {
      for (let r = 0; r < p.length; r++) {
        rows.push(rowAt(p, r));
        kinds.push(p.kinds[r] as number);
      }
    }
    return batchFromRows(schema, rows, kinds as RowKind[]);
  }
}

/** A window's rows: both sides and the buckets by join key, in first-arrival order (Flink's iteration order). */
interface WindowRows {
  readonly sides: readonly [SideRows, SideRows];
  readonly buckets: Map<Key, Bucket>;
}

/** window_end -> rows. */
type Windows = Map<number, WindowRows>;

/**
 * A bucket as snapshots hold it (the format from before the columnar state, kept so that savepoints stay
 * readable): its rows as values, the left rows' kinds.
 */
interface StoredBucket {
  readonly left: Value[][];
  readonly leftKinds: number[];
  readonly right: Value[][];
  readonly nullKey: boolean;
}

/** A window being fired: its rows as one batch per side, its buckets and their candidate pairs. */
interface Firing {
  readonly w: WindowRows;
  readonly L: RecordBatch | null;
  readonly R: RecordBatch | null;
  readonly buckets: readonly Bucket[];
  /** Each bucket's first pair in `pairs`. */
  readonly bases: Int32Array;
  readonly pairs: RecordBatch | null;
}

/** Output rows per emitted batch of a firing window (a large window goes out in several). */
const OUTPUT_BATCH = 4096;

/** A growable Int32Array list (pair and output row indexes of one firing window). */
class IntList {
  a = new Int32Array(256);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const grown = new Int32Array(this.a.length * 2);
      grown.set(this.a);
      this.a = grown;
    }
    this.a[this.n++] = v;
  }
}

/** Whether candidate pair `at` of a bucket joined; a NULL key matches nothing, no condition matches all. */
function pairMatches(nullKey: boolean, match: Uint8Array | null, at: number): boolean {
  return !nullKey && (match === null || match[at] === 1);
}

/**
 * The columns of rows `idx[0..n)` of `side` (typed-array gathers); -1 gives a NULL row (outer-join padding), and
 * a side without rows gives NULLs throughout.
 */
function gatherSide(side: RecordBatch | null, schema: Schema, idx: Int32Array, n: number): Column[] {
  if (side === null) {
    return schema.fields.map((f) => {
      const b = new ColumnBuilder(f.type, Math.max(1, n));
      for (let j = 0; j < n; j++) b.appendNull();
      return b.finish();
    });
  }
  let padded = false;
  let identity = n === side.length;
  for (let j = 0; j < n; j++) {
    const i = idx[j] as number;
    if (i < 0) padded = true;
    if (i !== j) identity = false;
  }
  // Every row once, in order (one bucket holding the whole side, as a window join on window_start alone has):
  // the side's columns as they are (batches are immutable).
  if (identity) return side.columns.slice();
  let rows = idx;
  if (padded) {
    rows = new Int32Array(n);
    for (let j = 0; j < n; j++) rows[j] = Math.max(0, idx[j] as number);
  }
  return side.columns.map((c, i) => {
    const col = takeColumn(c, schema.field(i).type, rows, n);
    if (!padded) return col;
    const v = new Uint8Array(validityBytes(n));
    const old = col.validity;
    for (let j = 0; j < n; j++) {
      const valid =
        (idx[j] as number) >= 0 && (old === null || (((old[j >>> 3] as number) >>> (j & 7)) & 1) === 1);
      if (valid) v[j >>> 3] |= 1 << (j & 7);
    }
    return { ...col, validity: v } as Column;
  });
}

export class WindowJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly type: JoinType;
  private readonly schemas: readonly [Schema, Schema];
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly endCols: readonly [number, number];
  /** Whether a side's rows are output without a match (so rows with NULL keys must still be kept). */
  private readonly keepUnmatched: readonly [boolean, boolean];
  private readonly condition: JoinCondition | null;
  private readonly pairSchema: Schema;
  // Checkpointed state.
  private windows: Windows = new Map();
  // Transient, as Flink's timer service watermark is.
  private watermark = Number.NEGATIVE_INFINITY;
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  /** Row numbers of one batch per window end (scratch of processBatch). */
  private readonly rowsByEnd = new Map<number, IntList>();

  constructor(config: WindowJoinConfig) {
    const { name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema } = config;
    checkJoinConfig(name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema);
    this.name = name;
    this.outputSchema = outputSchema;
    this.type = type;
    this.schemas = [leftSchema, rightSchema];
    this.keyCols = [leftKeys, rightKeys];
    this.keySelectors = [
      columnsKeySelector(
        leftKeys,
        leftKeys.map((k) => leftSchema.field(k).name),
      ),
      columnsKeySelector(
        rightKeys,
        rightKeys.map((k) => rightSchema.field(k).name),
      ),
    ];
    this.endCols = [config.leftWindowEnd, config.rightWindowEnd];
    this.keepUnmatched = [isLeftOuter(type) || type === 'ANTI', isRightOuter(type)];
    this.condition = config.condition;
    this.pairSchema = pairSchema(leftSchema, rightSchema);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  /** WindowJoinHelper.processElement: buffer the row in its window unless that window has fired. */
  processBatch(batch: RecordBatch, input = 0): void {
    const n = batch.length;
    if (n === 0) return;
    const side: 0 | 1 = input === 0 ? 0 : 1;
    const ends = readTimes(batch, this.endCols[side]);
    const nulls = nullKeyMask(batch, this.keyCols[side]);
    const keepNull = this.keepUnmatched[side];
    // Pass 1: which rows go to which window (a batch usually holds one window's rows).
    const byEnd = this.rowsByEnd;
    byEnd.clear();
    let kept = 0;
    let lastEnd = Number.NaN;
    let list: IntList | undefined;
    for (let r = 0; r < n; r++) {
      const kind = batch.kinds[r] as number;
      if (kind !== RowKind.INSERT && kind !== RowKind.UPDATE_AFTER) {
        throw new Error(`${this.name}: a window join takes insert-only input, got a retraction`);
      }
      const end = ends[r] as number;
      // isWindowFired: the window's timer (end - 1) is at or behind the watermark.
      if (Number.isNaN(end) || end - 1 <= this.watermark) {
        this.ctx?.metrics.inc('numLateRecordsDropped');
        continue;
      }
      if (nulls !== null && nulls[r] === 1 && !keepNull) continue; // it can never be output
      if (end !== lastEnd) {
        list = byEnd.get(end);
        if (list === undefined) byEnd.set(end, (list = new IntList()));
        lastEnd = end;
      }
      (list as IntList).push(r);
      kept++;
    }
    if (kept === 0) return;
    const keys = this.keySelectors[side].keysOf(batch);
    for (const [end, rows] of byEnd) {
      let w = this.windows.get(end);
      if (w === undefined) {
        w = { sides: [new SideRows(), new SideRows()], buckets: new Map() };
        this.windows.set(end, w);
      }
      // The whole batch when every row is this window's, else a copy of its rows.
      const piece = rows.n === n ? batch : takeRows(batch, rows.a, rows.n);
      const store = w.sides[side];
      const first = store.add(piece);
      const next = store.next;
      const buckets = w.buckets;
      for (let j = 0; j < rows.n; j++) {
        const r = rows.a[j] as number;
        const id = first + j;
        next[id] = -1;
        const key = keys[r] as Key;
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          const nullKey = nulls !== null && nulls[r] === 1;
          bucket = { lHead: -1, lTail: -1, lCount: 0, rHead: -1, rTail: -1, rCount: 0, nullKey };
          buckets.set(key, bucket);
        }
        if (side === 0) {
          if (bucket.lTail < 0) bucket.lHead = id;
          else next[bucket.lTail] = id;
          bucket.lTail = id;
          bucket.lCount++;
        } else {
          if (bucket.rTail < 0) bucket.rHead = id;
          else next[bucket.rTail] = id;
          bucket.rTail = id;
          bucket.rCount++;
        }
      }
    }
    byEnd.clear();
  }

  /**
   * Fires every window whose end - 1 the watermark has reached, in window order, then forwards the watermark.
   * The candidate pairs of all fired windows go through the condition in one call; each window's output is
   * emitted as its own batch.
   */
  processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    const fired: number[] = [];
    for (const end of this.windows.keys()) if (end - 1 <= timestamp) fired.push(end);
    if (fired.length > 0) {
      fired.sort((a, b) => a - b);
      const firing = fired.map((end) => {
        const w = this.windows.get(end) as WindowRows;
        this.windows.delete(end);
        return this.candidates(w);
      });
      const matches = this.evaluate(firing);
      for (let k = 0; k < firing.length; k++) {
        this.outputOf(firing[k] as Firing, matches[k] ?? null);
      }
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  /** A firing window's side batches, buckets and candidate pairs (left-major within a bucket). */
  private candidates(w: WindowRows): Firing {
    const [ls, rs] = w.sides;
    const L = ls.batch(this.schemas[0]);
    const R = rs.batch(this.schemas[1]);
    const buckets = [...w.buckets.values()];
    const bases = new Int32Array(buckets.length);
    let pairs: RecordBatch | null = null;
    if (this.condition !== null && L !== null && R !== null) {
      const ln = ls.next;
      const rn = rs.next;
      const pl = new IntList();
      const pr = new IntList();
      for (let b = 0; b < buckets.length; b++) {
        const bucket = buckets[b] as Bucket;
        bases[b] = pl.n;
        if (bucket.nullKey) continue;
        for (let i = bucket.lHead; i >= 0; i = ln[i] as number)
          for (let j = bucket.rHead; j >= 0; j = rn[j] as number) {
            pl.push(i);
            pr.push(j);
          }
      }
      if (pl.n > 0) {
        pairs = makeBatch(
          this.pairSchema,
          [...gatherSide(L, this.schemas[0], pl.a, pl.n), ...gatherSide(R, this.schemas[1], pr.a, pr.n)],
          pl.n,
        );
      }
    }
    return { w, L, R, buckets, bases, pairs };
  }

  /** The condition over the candidate pairs of every firing window, in one call when their layouts agree. */
  private evaluate(firing: readonly Firing[]): (Uint8Array | null)[] {
    const condition = this.condition;
    const withPairs = firing.filter((f) => f.pairs !== null);
    if (condition === null || withPairs.length === 0) return firing.map(() => null);
    const run = (pairs: RecordBatch): Uint8Array => {
      const m = condition(pairs);
      if (m.length < pairs.length) {
        throw new Error(`join condition returned ${m.length} results for ${pairs.length} candidate pairs`);
      }
      return m;
    };
    const first = (withPairs[0] as Firing).pairs as RecordBatch;
    const sameLayout = withPairs.every((f) =>
      (f.pairs as RecordBatch).columns.every((c, i) => c.kind === (first.columns[i] as Column).kind),
    );
    if (!sameLayout) return firing.map((f) => (f.pairs === null ? null : run(f.pairs)));
    const all = run(concatBatches(withPairs.map((f) => f.pairs as RecordBatch)));
    let at = 0;
    return firing.map((f) => {
      if (f.pairs === null) return null;
      const m = all.subarray(at, at + f.pairs.length);
      at += f.pairs.length;
      return m;
    });
  }

  /**
   * One window's output: WindowJoinHelper's processors (INNER and LEFT/FULL loop left-major, RIGHT right-major,
   * FULL pads the right rows no left row matched after the left loop, SEMI/ANTI emit each left row at most once),
   * bucket by bucket in first-arrival order; rows are gathered column by column at the end.
   */
  private outputOf(f: Firing, match: Uint8Array | null): void {
    const { w, L, R, buckets, bases } = f;
    const ln = w.sides[0].next;
    const rn = w.sides[1].next;
    let ol = new IntList();
    let or = new IntList();
    for (let b = 0; b < buckets.length; b++) {
      this.join(buckets[b] as Bucket, match, bases[b] as number, ln, rn, ol, or);
      // Bounded batches as they are produced: a chained sink has the first rows of a large window while the
      // rest is still being joined.
      if (ol.n >= OUTPUT_BATCH && b < buckets.length - 1) {
        this.emitRows(L, R, ol, or);
        ol = new IntList();
        or = new IntList();
      }
    }
    this.emitRows(L, R, ol, or);
  }

  /** Output rows `ol`/`or` (row numbers of L and R, -1 for NULL) as one batch. */
  private emitRows(L: RecordBatch | null, R: RecordBatch | null, ol: IntList, or: IntList): void {
    if (ol.n === 0) return;
    let batch: RecordBatch;
    if (this.type === 'SEMI' || this.type === 'ANTI') {
      const left = L as RecordBatch;
      const kinds = new Uint8Array(ol.n);
      for (let j = 0; j < ol.n; j++) kinds[j] = left.kinds[ol.a[j] as number] as number;
      batch = makeBatch(this.outputSchema, gatherSide(left, this.schemas[0], ol.a, ol.n), ol.n, kinds);
    } else {
      batch = makeBatch(
        this.outputSchema,
        [...gatherSide(L, this.schemas[0], ol.a, ol.n), ...gatherSide(R, this.schemas[1], or.a, or.n)],
        ol.n,
      );
    }
    (this.output as Output).emitBatch(batch);
  }

  /** One bucket's output row indexes into `ol`/`or` (-1: NULL padding; SEMI/ANTI use `ol` only). */
  private join(
    bucket: Bucket,
    match: Uint8Array | null,
    base: number,
    ln: Int32Array,
    rn: Int32Array,
    ol: IntList,
    or: IntList,
  ): void {
    const nr = bucket.rCount;
    const nullKey = bucket.nullKey;
    // The pair (left i-th, right j-th of the bucket) is at base + i * nr + j. (A function, not a closure per
    // bucket: q8 fires ~20 k one-row buckets per window.)
    switch (this.type) {
      case 'INNER':
        for (let l = bucket.lHead, i = 0; l >= 0; l = ln[l] as number, i++)
          for (let r = bucket.rHead, j = 0; r >= 0; r = rn[r] as number, j++)
            if (pairMatches(nullKey, match, base + i * nr + j)) {
              ol.push(l);
              or.push(r);
            }
        return;
      case 'LEFT':
      case 'FULL': {
        const rightMatched = this.type === 'FULL' ? new Uint8Array(nr) : null;
        for (let l = bucket.lHead, i = 0; l >= 0; l = ln[l] as number, i++) {
          let matched = false;
          for (let r = bucket.rHead, j = 0; r >= 0; r = rn[r] as number, j++) {
            if (!pairMatches(nullKey, match, base + i * nr + j)) continue;
            ol.push(l);
            or.push(r);
            matched = true;
            if (rightMatched !== null) rightMatched[j] = 1;
          }
          if (!matched) {
            ol.push(l);
            or.push(-1);
          }
        }
        if (rightMatched !== null) {
          for (let r = bucket.rHead, j = 0; r >= 0; r = rn[r] as number, j++)
            if (rightMatched[j] === 0) {
              ol.push(-1);
              or.push(r);
            }
        }
        return;
      }
      case 'RIGHT':
        for (let r = bucket.rHead, j = 0; r >= 0; r = rn[r] as number, j++) {
          let matched = false;
          for (let l = bucket.lHead, i = 0; l >= 0; l = ln[l] as number, i++) {
            if (!pairMatches(nullKey, match, base + i * nr + j)) continue;
            ol.push(l);
            or.push(r);
            matched = true;
          }
          if (!matched) {
            ol.push(-1);
            or.push(r);
          }
        }
        return;
      case 'SEMI':
      case 'ANTI': {
        const anti = this.type === 'ANTI';
        for (let l = bucket.lHead, i = 0; l >= 0; l = ln[l] as number, i++) {
          let matched = false;
          for (let j = 0; j < nr && !matched; j++) matched = pairMatches(nullKey, match, base + i * nr + j);
          if (matched !== anti) ol.push(l);
        }
        return;
      }
      default: {
        const never: never = this.type;
        throw new Error(`unknown join type ${String(never)}`);
      }
    }
  }

  /**
   * Key-grouped by the exchange's key, which is the join key and window_end (planner: byKeys(keys ++ window_end)),
   * so a restore at another parallelism can split it. A bucket keeps rows, not that key: it is made again from
   * the bucket's first row (every row of a bucket has the same key values and window end).
   */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const [end, w] of this.windows) {
      const L = w.sides[0].batch(this.schemas[0]);
      const R = w.sides[1].batch(this.schemas[1]);
      for (const [key, b] of w.buckets) {
        const bucket: StoredBucket = { left: [], leftKinds: [], right: [], nullKey: b.nullKey };
        for (let i = b.lHead; i >= 0; i = w.sides[0].next[i] as number) {
          bucket.left.push(rowAt(L as RecordBatch, i));
          bucket.leftKinds.push((L as RecordBatch).kinds[i] as number);
        }
        for (let j = b.rHead; j >= 0; j = w.sides[1].next[j] as number)
          bucket.right.push(rowAt(R as RecordBatch, j));
        sections.add('w', this.exchangeKey(bucket), [end, key, bucket]);
      }
    }
    return sections.encode();
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    const stored = new Map<number, [Key, StoredBucket][]>();
    const at = (end: number): [Key, StoredBucket][] => {
      let l = stored.get(end);
      if (l === undefined) stored.set(end, (l = []));
      return l;
    };
    if (grouped === null) {
      // Before key groups (same parallelism only).
      for (const [end, byKey] of deserialize(bytes) as Map<number, Map<Key, StoredBucket>>)
        for (const [key, bucket] of byKey) at(end).push([key, bucket]);
    } else {
      for (const [, [end, key, bucket]] of (grouped.maps['w'] ?? []) as [Key, [number, Key, StoredBucket]][])
        at(end).push([key, bucket]);
    }
    // Buckets of several key groups interleave their windows: fired in end order anyway (processWatermark sorts).
    this.windows = new Map();
    for (const [end, buckets] of stored) {
      const w: WindowRows = { sides: [new SideRows(), new SideRows()], buckets: new Map() };
      const rows: [Value[][], Value[][]] = [[], []];
      const kinds: number[] = [];
      for (const [key, sb] of buckets) {
        const b: Bucket = {
          lHead: -1,
          lTail: -1,
          lCount: 0,
          rHead: -1,
          rTail: -1,
          rCount: 0,
          nullKey: sb.nullKey,
        };
        // Row numbers are the positions in the restored side batch; the chains link them in stored order.
        for (let i = 0; i < sb.left.length; i++) {
          const id = rows[0].length;
          rows[0].push(sb.left[i] as Value[]);
          kinds.push(sb.leftKinds[i] ?? RowKind.INSERT);
          b.lHead = b.lHead < 0 ? id : b.lHead;
          b.lTail = id;
          b.lCount++;
        }
        for (const r of sb.right) {
          const id = rows[1].length;
          rows[1].push(r);
          b.rHead = b.rHead < 0 ? id : b.rHead;
          b.rTail = id;
          b.rCount++;
        }
        w.buckets.set(key, b);
      }
      for (const side of [0, 1] as const) {
        if (rows[side].length === 0) continue;
        const store = w.sides[side];
        store.add(
          batchFromRows(this.schemas[side], rows[side], side === 0 ? (kinds as RowKind[]) : undefined),
        );
        // Chains: consecutive rows of a bucket follow each other (they were pushed bucket by bucket).
        store.next.fill(-1, 0, store.count);
      }
      for (const b of w.buckets.values()) {
        for (let i = b.lHead; i >= 0 && i < b.lTail; i++) w.sides[0].next[i] = i + 1;
        for (let j = b.rHead; j >= 0 && j < b.rTail; j++) w.sides[1].next[j] = j + 1;
      }
      this.windows.set(end, w);
    }
  }

  /** The key the hash exchange routed the bucket's rows by: its join key columns and window_end. */
  private exchangeKey(bucket: StoredBucket): Key {
    const side = bucket.left.length > 0 ? 0 : 1;
    const row = (side === 0 ? bucket.left[0] : bucket.right[0]) as Value[];
    return keyOfValues([...this.keyCols[side].map((c) => row[c] as Value), row[this.endCols[side]] as Value]);
  }

  /** Buffered windows, for tests. */
  bufferedWindows(): number {
    return this.windows.size;
  }

  finish(): void {}

  close(): void {}
}
