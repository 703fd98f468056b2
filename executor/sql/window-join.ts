// The window join of SQL (two window-TVF inputs joined on window_start, window_end and keys), Flink's
// WindowJoinOperator: rows of both insert-only inputs are buffered per (window_end, join key) and joined once,
// when the watermark reaches window_end - 1; the buffers are then dropped. Nothing is emitted before a window
// fires, so the output is insert-only: pairs, NULL-padded rows of outer sides, or left rows for SEMI/ANTI.
// Rows of windows that have fired are late: dropped and counted.
import { deserialize, serialize } from 'node:v8';
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import type { Key, KeySelector } from '../runtime/key.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import {
  checkJoinConfig,
  isLeftOuter,
  isRightOuter,
  JoinRowsBuilder,
  nullKeyMask,
  PairBatch,
  pairSchema,
  readTimes,
  type JoinCondition,
  type JoinType,
} from './join-common.js';
import { columnsKeySelector } from './keys.js';

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

/** The rows of one join key in one window; a key with a NULL joins nothing but is still padded or anti-emitted. */
interface Bucket {
  readonly left: Value[][];
  /** Row kinds of the left rows (+I or +U): SEMI/ANTI emit a left row with its own kind, as Flink does. */
  readonly leftKinds: number[];
  readonly right: Value[][];
  readonly nullKey: boolean;
}

/** window_end -> join key -> bucket. */
type Windows = Map<number, Map<Key, Bucket>>;

export class WindowJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly type: JoinType;
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly endCols: readonly [number, number];
  /** Whether a side's rows are output without a match (so rows with NULL keys must still be kept). */
  private readonly keepUnmatched: readonly [boolean, boolean];
  private readonly condition: JoinCondition | null;
  // Checkpointed state.
  private windows: Windows = new Map();
  // Transient, as Flink's timer service watermark is.
  private watermark = Number.NEGATIVE_INFINITY;
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;

  constructor(config: WindowJoinConfig) {
    const { name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema } = config;
    checkJoinConfig(name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema);
    this.name = name;
    this.outputSchema = outputSchema;
    this.type = type;
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
    this.pairs = new PairBatch(pairSchema(leftSchema, rightSchema), leftSchema.size);
    const semiAnti = type === 'SEMI' || type === 'ANTI';
    this.out = new JoinRowsBuilder(outputSchema, semiAnti ? outputSchema.size : leftSchema.size);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  /** WindowJoinHelper.processElement: buffer the row in its window unless that window has fired. */
  processBatch(batch: RecordBatch, input = 0): void {
    if (batch.length === 0) return;
    const side: 0 | 1 = input === 0 ? 0 : 1;
    const ends = readTimes(batch, this.endCols[side]);
    const keys = this.keySelectors[side].keysOf(batch);
    const nulls = nullKeyMask(batch, this.keyCols[side]);
    const keepNull = this.keepUnmatched[side];
    for (let r = 0; r < batch.length; r++) {
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
      const nullKey = nulls !== null && nulls[r] === 1;
      if (nullKey && !keepNull) continue; // it can never be output
      const key = keys[r] as Key;
      let byKey = this.windows.get(end);
      if (byKey === undefined) this.windows.set(end, (byKey = new Map()));
      let bucket = byKey.get(key);
      if (bucket === undefined) byKey.set(key, (bucket = { left: [], leftKinds: [], right: [], nullKey }));
      if (side === 0) {
        bucket.left.push(rowAt(batch, r));
        bucket.leftKinds.push(kind);
      } else {
        bucket.right.push(rowAt(batch, r));
      }
    }
  }

  /**
   * Fires every window whose end - 1 the watermark has reached, in window order, then forwards the watermark.
   * All pairs of all fired buckets go through the condition in one call.
   */
  processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    const fired: number[] = [];
    for (const end of this.windows.keys()) if (end - 1 <= timestamp) fired.push(end);
    if (fired.length > 0) {
      fired.sort((a, b) => a - b);
      const buckets: Bucket[] = [];
      const bases: number[] = [];
      const withCondition = this.condition !== null;
      for (const end of fired) {
        for (const bucket of (this.windows.get(end) as Map<Key, Bucket>).values()) {
          buckets.push(bucket);
          bases.push(this.pairs.length);
          if (!withCondition || bucket.nullKey) continue;
          for (const l of bucket.left) for (const r of bucket.right) this.pairs.add(l, r);
        }
        this.windows.delete(end);
      }
      const match = this.pairs.evaluate(this.condition);
      for (let b = 0; b < buckets.length; b++) this.join(buckets[b] as Bucket, match, bases[b] as number);
      const batch = this.out.build();
      if (batch !== null) (this.output as Output).emitBatch(batch);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  /**
   * WindowJoinHelper's processors: INNER and LEFT/FULL loop left-major, RIGHT right-major, FULL pads the
   * right rows no left row matched after the left loop, SEMI/ANTI emit each left row at most once.
   */
  private join(bucket: Bucket, match: Uint8Array | null, base: number): void {
    const { left, right } = bucket;
    const nr = right.length;
    // The pair (left i, right j) is at base + i * nr + j; a NULL key matches nothing.
    const matches = (i: number, j: number): boolean =>
      !bucket.nullKey && (match === null || match[base + i * nr + j] === 1);
    const out = this.out;
    switch (this.type) {
      case 'INNER':
        for (let i = 0; i < left.length; i++) {
          for (let j = 0; j < nr; j++)
            if (matches(i, j)) out.pair(RowKind.INSERT, left[i] as Value[], right[j] as Value[]);
        }
        return;
      case 'LEFT':
      case 'FULL': {
        const rightMatched = this.type === 'FULL' ? new Uint8Array(nr) : null;
        for (let i = 0; i < left.length; i++) {
          let matched = false;
          for (let j = 0; j < nr; j++) {
            if (!matches(i, j)) continue;
            out.pair(RowKind.INSERT, left[i] as Value[], right[j] as Value[]);
            matched = true;
            if (rightMatched !== null) rightMatched[j] = 1;
          }
          if (!matched) out.pair(RowKind.INSERT, left[i] as Value[], null);
        }
        if (rightMatched !== null) {
          for (let j = 0; j < nr; j++)
            if (rightMatched[j] === 0) out.pair(RowKind.INSERT, null, right[j] as Value[]);
        }
        return;
      }
      case 'RIGHT':
        for (let j = 0; j < nr; j++) {
          let matched = false;
          for (let i = 0; i < left.length; i++) {
            if (!matches(i, j)) continue;
            out.pair(RowKind.INSERT, left[i] as Value[], right[j] as Value[]);
            matched = true;
          }
          if (!matched) out.pair(RowKind.INSERT, null, right[j] as Value[]);
        }
        return;
      case 'SEMI':
      case 'ANTI': {
        const anti = this.type === 'ANTI';
        for (let i = 0; i < left.length; i++) {
          let matched = false;
          for (let j = 0; j < nr && !matched; j++) matched = matches(i, j);
          if (matched !== anti) out.row(bucket.leftKinds[i] as number, left[i] as Value[]);
        }
        return;
      }
      default: {
        const never: never = this.type;
        throw new Error(`unknown join type ${String(never)}`);
      }
    }
  }

  snapshotState(): Uint8Array {
    return serialize(this.windows);
  }

  restoreState(bytes: Uint8Array): void {
    this.windows = deserialize(bytes) as Windows;
  }

  /** Buffered windows, for tests. */
  bufferedWindows(): number {
    return this.windows.size;
  }

  finish(): void {}

  close(): void {}
}
