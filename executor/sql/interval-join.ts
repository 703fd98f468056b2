// The event-time interval join of SQL (`l.ts BETWEEN r.ts - INTERVAL … AND r.ts + INTERVAL …`), Flink's
// TimeIntervalJoin / RowTimeIntervalJoin: both insert-only inputs are cached per join key by row time; a row
// joins the other side's cached rows whose time is within its bounds, is cached itself while the other side
// can still send a match, and is cleaned up (NULL-padded first if it is on an outer side and never joined)
// by a per-key event-time timer once the watermark has passed its bound. The output watermark is held back
// by the larger relative window size, since a joined row can be as old as that (Flink's
// KeyedCoProcessOperatorWithWatermarkDelay with RowTimeIntervalJoin.getMaxOutputDelay).
import { MAX_WATERMARK, rowAt, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { restoreKeyedMapWithTimers, snapshotKeyedMapWithTimers } from '../state/keyed-operator.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { InternalTimerService, type InternalTimer } from '../runtime/timer-service.js';
import type { ProcessingTimeService } from '../runtime/time.js';
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
} from './join-common.js';
import { columnsKeySelector } from './keys.js';

export interface IntervalJoinConfig {
  readonly name: string;
  readonly type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** The rowtime column of each input (epoch ms). */
  readonly leftTime: number;
  readonly rightTime: number;
  /** Rows match when lowerBound <= leftTime - rightTime <= upperBound (ms). */
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly condition: JoinCondition | null;
  readonly outputSchema: Schema;
}

/** A cached row and whether it has joined at least once (an outer row that has is never padded). */
interface Cached {
  readonly row: Value[];
  emitted: boolean;
}

/** Per join key: each side's cache (row time -> rows) and the time of the timer that cleans it, or null. */
interface KeyState {
  readonly caches: [Map<number, Cached[]>, Map<number, Cached[]>];
  readonly timers: [number | null, number | null];
}

/** One cached time entry of the other side that a row's probe touched: joined, expired, or both. */
interface Probe {
  readonly rows: Cached[];
  readonly pairBase: number;
  readonly inRange: boolean;
  readonly expired: boolean;
}

/** Only event-time timers are used; processing time never reaches this operator. */
const NO_CLOCK: ProcessingTimeService = {
  now: () => 0,
  schedule: () => ({ cancel: () => {} }),
};

export class IntervalJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly outer: readonly [boolean, boolean];
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly timeCols: readonly [number, number];
  /**
   * Flink's leftRelativeSize (-lowerBound) and rightRelativeSize (upperBound): how far a right row may lie
   * after, and before, a left row.
   */
  private readonly relSize: readonly [number, number];
  private readonly minCleanUpInterval: number;
  private readonly condition: JoinCondition | null;
  // Checkpointed state.
  private state = new Map<Key, KeyState>();
  private readonly timerService: InternalTimerService<0>;
  // Transient, as in Flink: where each cache was last cleaned up to (any key), and the operator time.
  private expiration: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  private watermark = Number.NEGATIVE_INFINITY;
  private currentKey: Key = null;
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;

  constructor(config: IntervalJoinConfig) {
    const { name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema } = config;
    checkJoinConfig(name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema);
    if (config.lowerBound > config.upperBound) {
      throw new Error(`${name}: lower bound ${config.lowerBound} is above upper bound ${config.upperBound}`);
    }
    this.name = name;
    this.outputSchema = outputSchema;
    this.outer = [isLeftOuter(type), isRightOuter(type)];
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
    this.timeCols = [config.leftTime, config.rightTime];
    this.relSize = [-config.lowerBound, config.upperBound];
    // TimeIntervalJoin: cleaning up at most every half window, so a timer is not registered for every row.
    this.minCleanUpInterval = Math.trunc((config.upperBound - config.lowerBound) / 2);
    this.condition = config.condition;
    this.pairs = new PairBatch(pairSchema(leftSchema, rightSchema), leftSchema.size);
    this.out = new JoinRowsBuilder(outputSchema, leftSchema.size);
    this.timerService = new InternalTimerService<0>(
      { getCurrentKey: () => this.currentKey, setCurrentKey: (k) => (this.currentKey = k) },
      { onEventTime: (t) => this.onTimer(t), onProcessingTime: () => {} },
      () => 0,
      NO_CLOCK,
    );
  }

  /** How far the output watermark lags the input's: a joined row can be this much older than the watermark. */
  get watermarkDelay(): number {
    return Math.max(this.relSize[0], this.relSize[1]);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  /**
   * TimeIntervalJoin.processElement1/2 for every row of the batch, in order. A first pass probes the other
   * side's cache of the row's key (joining in-range entries, removing expired ones, which do not depend on the
   * condition); the condition then runs once on all candidate pairs; a second pass emits in Flink's order and
   * caches the rows.
   */
  processBatch(batch: RecordBatch, input = 0): void {
    if (batch.length === 0) return;
    const side: 0 | 1 = input === 0 ? 0 : 1;
    const other: 0 | 1 = side === 0 ? 1 : 0;
    const n = batch.length;
    const times = readTimes(batch, this.timeCols[side]);
    const keys = this.keySelectors[side].keysOf(batch);
    const nulls = nullKeyMask(batch, this.keyCols[side]);
    const otherRel = this.relSize[other];
    const myRel = this.relSize[side];
    const rows = new Array<Value[] | null>(n);
    const probeStart = new Int32Array(n + 1);
    const probes: Probe[] = [];
    const withCondition = this.condition !== null;
    for (let r = 0; r < n; r++) {
      probeStart[r] = probes.length;
      rows[r] = null;
      const t = times[r] as number;
      const kind = batch.kinds[r] as number;
      if (kind !== RowKind.INSERT && kind !== RowKind.UPDATE_AFTER) {
        throw new Error(`${this.name}: an interval join takes insert-only input, got a retraction`);
      }
      if (Number.isNaN(t)) continue; // a NULL rowtime: no interval contains it
      const row = rowAt(batch, r);
      rows[r] = row;
      // The other side's times that qualify: [t - otherRel, t + myRel].
      const lower = t - otherRel;
      const upper = t + myRel;
      if (this.expiration[other] >= upper) continue;
      // As Flink: the expiration time is a cheap lower bound of the cache's oldest row, moved on probe.
      const expiration = this.calExpirationTime(this.watermark, otherRel);
      this.expiration[other] = expiration;
      const ks = this.state.get(keys[r] as Key);
      if (ks === undefined) continue;
      const cache = ks.caches[other];
      const joinable = nulls === null || nulls[r] === 0;
      for (const [ot, list] of cache) {
        const inRange = joinable && ot >= lower && ot <= upper;
        const expired = ot <= expiration;
        if (!inRange && !expired) continue;
        let pairBase = -1;
        if (inRange && withCondition) {
          for (const c of list) {
            const p = side === 0 ? this.pairs.add(row, c.row) : this.pairs.add(c.row, row);
            if (pairBase < 0) pairBase = p;
          }
        }
        probes.push({ rows: list, pairBase, inRange, expired });
        if (expired) cache.delete(ot);
      }
    }
    probeStart[n] = probes.length;
    const match = this.pairs.evaluate(this.condition);
    const inputOuter = this.outer[side];
    const otherOuter = this.outer[other];
    for (let r = 0; r < n; r++) {
      const row = rows[r];
      if (row === null || row === undefined) {
        this.ctx?.metrics.inc('numLateRecordsDropped');
        continue;
      }
      let emitted = false;
      for (let p = probeStart[r] as number; p < (probeStart[r + 1] as number); p++) {
        const probe = probes[p] as Probe;
        const list = probe.rows;
        if (probe.inRange) {
          for (let i = 0; i < list.length; i++) {
            if (match !== null && match[probe.pairBase + i] === 0) continue;
            const c = list[i] as Cached;
            if (side === 0) this.out.pair(RowKind.INSERT, row, c.row);
            else this.out.pair(RowKind.INSERT, c.row, row);
            emitted = true;
            if (otherOuter) c.emitted = true;
          }
        }
        if (probe.expired && otherOuter) for (const c of list) if (!c.emitted) this.pad(other, c.row);
      }
      const t = times[r] as number;
      if (this.watermark < t + myRel) {
        // The other side can still send rows this one joins: cache it.
        const key = keys[r] as Key;
        let ks = this.state.get(key);
        if (ks === undefined)
          this.state.set(key, (ks = { caches: [new Map(), new Map()], timers: [null, null] }));
        const cache = ks.caches[side];
        const list = cache.get(t);
        if (list === undefined) cache.set(t, [{ row, emitted }]);
        else list.push({ row, emitted });
        if (ks.timers[side] === null) this.registerCleanUpTimer(key, ks, side, t);
      } else if (!emitted) {
        // Too late to be cached and it joined nothing still cached.
        if (inputOuter) this.pad(side, row);
        else this.ctx?.metrics.inc('numLateRecordsDropped');
      }
    }
    this.flush();
  }

  private pad(side: 0 | 1, row: readonly Value[]): void {
    if (side === 0) this.out.pair(RowKind.INSERT, row, null);
    else this.out.pair(RowKind.INSERT, null, row);
  }

  /** Flink's calExpirationTime: rows at or before this time can no longer join (allowed lateness 0). */
  private calExpirationTime(operatorTime: number, relativeSize: number): number {
    return operatorTime >= MAX_WATERMARK ? Number.POSITIVE_INFINITY : operatorTime - relativeSize - 1;
  }

  /** A timer for `side`'s cache of a key, from the time of its earliest row there (registerCleanUpTimer). */
  private registerCleanUpTimer(key: Key, ks: KeyState, side: 0 | 1, rowTime: number): void {
    const at = rowTime + this.relSize[side] + this.minCleanUpInterval + 1;
    ks.timers[side] = at;
    this.currentKey = key;
    this.timerService.registerEventTimeTimer(0, at);
  }

  /** TimeIntervalJoin.onTimer: clean whichever cache of the key this timer is for, at the current watermark. */
  private onTimer(timer: InternalTimer<0>): void {
    const ks = this.state.get(timer.key);
    if (ks === undefined) return;
    // Flink checks the right cache's timer first.
    if (ks.timers[1] === timer.timestamp) this.expire(timer.key, ks, 1);
    if (ks.timers[0] === timer.timestamp) this.expire(timer.key, ks, 0);
    if (
      ks.timers[0] === null &&
      ks.timers[1] === null &&
      ks.caches[0].size === 0 &&
      ks.caches[1].size === 0
    ) {
      this.state.delete(timer.key);
    }
  }

  private expire(key: Key, ks: KeyState, side: 0 | 1): void {
    const expiration = this.calExpirationTime(this.watermark, this.relSize[side]);
    this.expiration[side] = expiration;
    this.removeExpiredRows(key, ks, side, expiration);
  }

  /** Removes (padding, on an outer side, what never joined) the rows at or before `expiration`; re-arms. */
  private removeExpiredRows(key: Key, ks: KeyState, side: 0 | 1, expiration: number): void {
    const cache = ks.caches[side];
    const padding = this.outer[side];
    let earliest = Number.POSITIVE_INFINITY;
    for (const [t, list] of cache) {
      if (t <= expiration) {
        if (padding) for (const c of list) if (!c.emitted) this.pad(side, c.row);
        cache.delete(t);
      } else if (t < earliest) {
        earliest = t;
      }
    }
    // Flink tests `earliestTimestamp > 0` here, which would drop rows at or before the epoch unpadded; any row
    // still cached re-arms the timer instead.
    if (earliest !== Number.POSITIVE_INFINITY) this.registerCleanUpTimer(key, ks, side, earliest);
    else ks.timers[side] = null;
  }

  processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    this.timerService.advanceWatermark(timestamp);
    this.flush();
    // The end-of-input watermark stays maximal so that downstream still sees the input end.
    (this.output as Output).emitWatermark(
      timestamp >= MAX_WATERMARK ? MAX_WATERMARK : timestamp - this.watermarkDelay,
    );
  }

  private flush(): void {
    const b = this.out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
  }

  snapshotState(): Uint8Array {
    // Key-grouped (keys' state and timers per key group), so a restore at another parallelism can split it.
    return snapshotKeyedMapWithTimers(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM, this.state, this.timerService.snapshot());
  }

  restoreState(bytes: Uint8Array): void {
    const s = restoreKeyedMapWithTimers<KeyState, 0>(bytes);
    this.state = s.state;
    this.timerService.restore(s.timers);
  }

  /** Cached rows per side, for tests. */
  cachedRows(): [number, number] {
    const count = [0, 0] as [number, number];
    for (const ks of this.state.values()) {
      for (const side of [0, 1] as const)
        for (const list of ks.caches[side].values()) count[side] += list.length;
    }
    return count;
  }

  finish(): void {}

  close(): void {
    this.timerService.close();
  }
}
