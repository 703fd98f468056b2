// The event-time temporal join `l JOIN r FOR SYSTEM_TIME AS OF l.ts ON l.k = r.pk`, Flink's
// TemporalRowTimeJoinOperator: the right input is the changelog of a versioned table keyed by its primary key
// (the join key), kept per key as versions by row time; left rows wait until the watermark passes their time
// and then join the version valid at that time (the latest at or before it, none if that one is a delete).
// Each key has one event-time timer, at the smallest time it waits for; when it fires, every left row at or
// before the watermark is emitted in arrival order and versions older than the one valid at the watermark
// are dropped.
import { rowAt, type RecordBatch } from '../batch/batch.js';
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
  JoinRowsBuilder,
  nullKeyMask,
  PairBatch,
  pairSchema,
  readTimes,
  type JoinCondition,
} from './join-common.js';
import { columnsKeySelector } from './keys.js';

export interface TemporalJoinConfig {
  readonly name: string;
  readonly type: 'INNER' | 'LEFT';
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  readonly leftKeys: readonly number[];
  /** The versioned table's primary key columns. */
  readonly rightKeys: readonly number[];
  /** The left rowtime (the AS OF time) and the right table's version time columns (epoch ms). */
  readonly leftTime: number;
  readonly rightTime: number;
  readonly condition: JoinCondition | null;
  readonly outputSchema: Schema;
}

interface LeftRow {
  readonly row: Value[];
  readonly kind: number;
  readonly time: number;
}

/** A version of the right row: +I/+U rows are values valid from `time`, a -D ends the key's validity. */
interface Version {
  readonly row: Value[];
  readonly kind: number;
  readonly time: number;
}

interface KeyState {
  /** Waiting left rows in arrival order (Flink keys them by an increasing index for the same reason). */
  left: LeftRow[];
  /** time -> version; a later row at the same time replaces the earlier, as MapState.put does. */
  readonly right: Map<number, Version>;
  /** The one registered timer of the key, or null. */
  timer: number | null;
}

const NO_CLOCK: ProcessingTimeService = {
  now: () => 0,
  schedule: () => ({ cancel: () => {} }),
};

export class TemporalJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly leftOuter: boolean;
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly timeCols: readonly [number, number];
  private readonly condition: JoinCondition | null;
  // Checkpointed state.
  private state = new Map<Key, KeyState>();
  private readonly timerService: InternalTimerService<0>;
  // Transient.
  private currentKey: Key = null;
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  /** Left rows a watermark triggered, with the version each one meets (null: none valid), in emit order. */
  private triggered: { left: LeftRow; version: Version | null; pair: number }[] = [];
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;

  constructor(config: TemporalJoinConfig) {
    const { name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema } = config;
    checkJoinConfig(name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema);
    this.name = name;
    this.outputSchema = outputSchema;
    this.leftOuter = type === 'LEFT';
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

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  /**
   * processElement1 stores a left row and moves the key's timer down to its time; processElement2 stores a
   * version at its time. Nothing is emitted here: results wait for the watermark.
   */
  processBatch(batch: RecordBatch, input = 0): void {
    const side: 0 | 1 = input === 0 ? 0 : 1;
    const times = readTimes(batch, this.timeCols[side]);
    const keys = this.keySelectors[side].keysOf(batch);
    const nulls = side === 1 ? nullKeyMask(batch, this.keyCols[1]) : null;
    for (let r = 0; r < batch.length; r++) {
      const t = times[r] as number;
      const kind = batch.kinds[r] as number;
      // A NULL time has no version; a NULL primary key no row can look up. The update's old image (-U) is
      // no version either: the +U that follows it is, and a -U stored at the old row's time would end the
      // validity of the very version it retracts (Flink's planner drops -U before this operator).
      if (
        Number.isNaN(t) ||
        (nulls !== null && nulls[r] === 1) ||
        (side === 1 && kind === RowKind.UPDATE_BEFORE)
      ) {
        if (Number.isNaN(t)) this.ctx?.metrics.inc('numNullTimeRecordsDropped');
        continue;
      }
      const key = keys[r] as Key;
      let ks = this.state.get(key);
      if (ks === undefined) this.state.set(key, (ks = { left: [], right: new Map(), timer: null }));
      if (side === 0) ks.left.push({ row: rowAt(batch, r), kind, time: t });
      else ks.right.set(t, { row: rowAt(batch, r), kind, time: t });
      this.registerSmallestTimer(key, ks, t);
    }
  }

  private registerSmallestTimer(key: Key, ks: KeyState, time: number): void {
    if (ks.timer !== null && ks.timer <= time) return;
    this.currentKey = key;
    if (ks.timer !== null) this.timerService.deleteEventTimeTimer(0, ks.timer);
    ks.timer = time;
    this.timerService.registerEventTimeTimer(0, time);
  }

  /** onEventTime + emitResultAndCleanUpState: trigger the key's left rows up to the watermark, drop old versions. */
  private onTimer(timer: InternalTimer<0>): void {
    const ks = this.state.get(timer.key);
    if (ks === undefined) return;
    ks.timer = null;
    const watermark = this.timerService.currentWatermark;
    const versions = [...ks.right.values()].sort((a, b) => a.time - b.time);
    let lastUnprocessed = Number.POSITIVE_INFINITY;
    const waiting: LeftRow[] = [];
    const withCondition = this.condition !== null;
    for (const left of ks.left) {
      if (left.time > watermark) {
        waiting.push(left);
        if (left.time < lastUnprocessed) lastUnprocessed = left.time;
        continue;
      }
      const found = latestVersionAt(versions, left.time);
      // A delete means no row is valid in [its time, next version): like no version at all.
      const version =
        found !== null && (found.kind === RowKind.INSERT || found.kind === RowKind.UPDATE_AFTER)
          ? found
          : null;
      const pair = version !== null && withCondition ? this.pairs.add(left.row, version.row) : -1;
      this.triggered.push({ left, version, pair });
    }
    ks.left = waiting;
    // cleanupExpiredVersionInState: keep the version valid at the watermark and everything newer.
    let firstNewer = versions.findIndex((v) => v.time > watermark);
    if (firstNewer < 0) firstNewer = versions.length;
    for (let i = 0; i < firstNewer - 1; i++) ks.right.delete((versions[i] as Version).time);
    if (lastUnprocessed !== Number.POSITIVE_INFINITY)
      this.registerSmallestTimer(timer.key, ks, lastUnprocessed);
    if (ks.left.length === 0 && ks.right.size === 0) this.state.delete(timer.key);
  }

  processWatermark(timestamp: number): void {
    this.timerService.advanceWatermark(timestamp);
    if (this.triggered.length > 0) {
      const match = this.pairs.evaluate(this.condition);
      for (const { left, version, pair } of this.triggered) {
        if (version !== null && (match === null || match[pair] === 1))
          this.out.pair(left.kind, left.row, version.row);
        else if (this.leftOuter) this.out.pair(left.kind, left.row, null);
      }
      this.triggered = [];
      const b = this.out.build();
      if (b !== null) (this.output as Output).emitBatch(b);
    }
    (this.output as Output).emitWatermark(timestamp);
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

  /** Stored left rows and versions, for tests. */
  stateSize(): [number, number] {
    let left = 0;
    let right = 0;
    for (const ks of this.state.values()) {
      left += ks.left.length;
      right += ks.right.size;
    }
    return [left, right];
  }

  finish(): void {}

  close(): void {
    this.timerService.close();
  }
}

/** The version with the largest time at or before `time` (latestRightRowToJoin), by binary search. */
function latestVersionAt(sorted: readonly Version[], time: number): Version | null {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = (sorted[mid] as Version).time;
    if (t < time) lo = mid + 1;
    else if (t > time) hi = mid - 1;
    else return sorted[mid] as Version;
  }
  return lo > 0 ? (sorted[lo - 1] as Version) : null;
}
