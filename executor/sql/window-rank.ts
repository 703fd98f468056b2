// Window Top-N and window deduplication over the rows of a window TVF (or a window aggregate's output): rows are
// buffered per window_end and partition key, and a window's final result is emitted, insert-only, once the
// watermark reaches window_end - 1 (Flink's WindowRankProcessor / TopNRecordsCombiner and
// RowTimeWindowDeduplicateProcessor / RowTimeDeduplicateRecordsCombiner). A row whose window has already fired
// is late: dropped and counted in numLateRecordsDropped.
import { deserialize } from 'node:v8';
import { type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { KeyedSections, keyedMapsOrLegacy, minUnionWatermark } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { isAccumulate, rowKindShort } from '../types/row-kind.js';
import { ProcessingTimeTrigger } from './slices.js';
import type { Schema } from '../types/schema.js';
import {
  ChangelogBuilder,
  compareRowToKey,
  partitionSelector,
  sortKeyAt,
  timesOf,
  TopNBuffer,
  type RankType,
  type SortedEntry,
  type SortKey,
  stateRowAt,
} from './rank.js';

export interface WindowRankConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** The PARTITION BY columns besides the window (window_start/window_end need not be listed). */
  readonly partitionKeys: readonly number[];
  /** window_end: the window a row belongs to, and when it fires. */
  readonly windowEndCol: number;
  readonly orderKeys: readonly SortKey[];
  readonly rankType: RankType;
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRankNumber: boolean;
  /** The input's fields, then `rank BIGINT NOT NULL` when `outputRankNumber`. */
  readonly outputSchema: Schema;
  /**
   * Windows of a PROCTIME attribute (default false): a window fires when processing time reaches window_end - 1
   * (Flink's WindowRankOperatorBuilder.withEventTime(false)); watermarks only pass through. As the window
   * aggregate, windows still open when a bounded input ends are not emitted (Flink fires no processing-time
   * timers after the end of input).
   */
  readonly proctime?: boolean;
}

/** Event time only: Flink plans no window deduplication over a PROCTIME attribute either. */
export interface WindowDeduplicateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** The PARTITION BY columns besides the window. */
  readonly keys: readonly number[];
  readonly windowEndCol: number;
  /** The rowtime attribute ordered by. */
  readonly timeCol: number;
  readonly keepLastRow: boolean;
  /** The input's fields (optionally followed by the row number, always 1). */
  readonly outputSchema: Schema;
}

/** A window fires when the watermark reaches its last millisecond (TimeWindowUtil.isWindowFired). */
function isFired(windowEnd: number, watermark: number): boolean {
  return windowEnd - 1 <= watermark;
}

/** The window ends due at `watermark`, earliest first (event-time timers fire in time order). */
function dueWindows(windows: ReadonlyMap<number, unknown>, watermark: number): number[] {
  const due: number[] = [];
  for (const end of windows.keys()) if (isFired(end, watermark)) due.push(end);
  return due.sort((a, b) => a - b);
}

function rejectRetraction(name: string, what: string, kind: number): void {
  if (!isAccumulate(kind))
    throw new Error(`${name}: ${what} does not support input RowKind: ${rowKindShort(kind)}`);
}

interface RankSnapshot {
  readonly watermark: number;
  readonly windows: Map<number, Map<Key, SortedEntry[]>>;
}

export class WindowRankOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: window_end → partition key → the rows that can still make the window's top N.
  private windows = new Map<number, Map<Key, TopNBuffer>>();
  /** Event time (or, for PROCTIME windows, processing time) up to which windows have fired. */
  private watermark = -Infinity;
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  private readonly trigger = new ProcessingTimeTrigger((now) => this.onProcessingTime(now));
  private readonly cfg: WindowRankConfig;
  private readonly keySelector: KeySelector;
  private readonly out: ChangelogBuilder;

  constructor(cfg: WindowRankConfig) {
    if (!Number.isFinite(cfg.rankEnd) || !(cfg.rankStart >= 1) || cfg.rankEnd < cfg.rankStart) {
      throw new Error(`${cfg.name}: invalid rank range [${cfg.rankStart}, ${cfg.rankEnd}]`);
    }
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.cfg = cfg;
    this.keySelector = partitionSelector(cfg.inputSchema, cfg.partitionKeys);
    this.out = new ChangelogBuilder(cfg.outputSchema, cfg.inputSchema.size);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    // Restored PROCTIME windows fire at their due time as before.
    if (this.cfg.proctime === true) this.requestTimer();
  }

  processBatch(batch: RecordBatch): void {
    const { orderKeys, rankEnd, rankType } = this.cfg;
    const ends = timesOf(batch, this.cfg.windowEndCol);
    const keys = this.keySelector.keysOf(batch);
    let late = 0;
    for (let r = 0; r < batch.length; r++) {
      rejectRetraction(this.name, 'Window rank', batch.kinds[r] as number);
      const end = ends[r] as number;
      if (isFired(end, this.watermark)) {
        late++;
        continue;
      }
      let window = this.windows.get(end);
      if (window === undefined) this.windows.set(end, (window = new Map()));
      const k = keys[r] as Key;
      let buf = window.get(k);
      if (buf === undefined) window.set(k, (buf = new TopNBuffer(orderKeys)));
      // ROW_NUMBER: a row tying with the last of a full buffer would rank after it (TopNBuffer's range check,
      // read in place). RANK / DENSE_RANK: ties share a rank, so they are kept and the trim below bounds the buffer.
      const last = buf.entries[buf.entries.length - 1];
      if (
        rankType === 'ROW_NUMBER' &&
        last !== undefined &&
        buf.size >= rankEnd &&
        compareRowToKey(batch, orderKeys, r, last.key) >= 0
      ) {
        continue;
      }
      buf.put(sortKeyAt(batch, orderKeys, r), stateRowAt(batch, r));
      trim(buf, rankType, rankEnd);
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
    if (this.cfg.proctime === true) this.requestTimer();
  }

  processWatermark(timestamp: number): void {
    if (this.cfg.proctime !== true) this.advance(timestamp);
    (this.output as Output).emitWatermark(timestamp);
  }

  /** Fires, earliest first, every window whose end - 1 is at or before `time`. */
  private advance(time: number): void {
    if (time <= this.watermark) return;
    this.watermark = time;
    for (const end of dueWindows(this.windows, time)) {
      for (const buf of (this.windows.get(end) as Map<Key, TopNBuffer>).values()) this.emit(buf);
      this.windows.delete(end);
    }
    this.out.flush(this.output as Output);
  }

  private onProcessingTime(now: number): void {
    this.advance(now);
    this.requestTimer();
  }

  /** PROCTIME windows: one processing-time callback, at the earliest open window's end - 1. */
  private requestTimer(): void {
    if (this.ctx === null) return;
    let next = Infinity;
    for (const end of this.windows.keys()) if (end < next) next = end;
    if (next !== Infinity) this.trigger.request(this.ctx.processingTime, next - 1);
  }

  /** WindowRankProcessor.fireWindow: the rows ranked [rankStart, rankEnd], in order. */
  private emit(buf: TopNBuffer): void {
    const { rankStart, rankEnd, rankType, outputRankNumber } = this.cfg;
    let rowNumber = 0;
    let rank = 0;
    for (let i = 0; i < buf.entries.length; i++) {
      const rows = (buf.entries[i] as SortedEntry).rows;
      if (rankType === 'RANK') rank = rowNumber + 1;
      else if (rankType === 'DENSE_RANK') rank = i + 1;
      for (let j = 0; j < rows.length; j++) {
        rowNumber++;
        if (rankType === 'ROW_NUMBER') rank = rowNumber;
        if (rank > rankEnd) return;
        if (rank >= rankStart) this.out.add(rows[j] as Value[], 0, outputRankNumber ? BigInt(rank) : null);
      }
    }
  }

  /**
   * Key-grouped by partition key (the exchange's key: windows of one key stay together), the watermark as union
   * state whose minimum a rescaled subtask takes, as Flink's WindowAggOperator and window rank do.
   */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const [end, parts] of this.windows)
      for (const [k, b] of parts) sections.add('w', k, [end, b.entries]);
    return sections.encode({ union: new Map([['watermark', [this.watermark]]]) });
  }

  restoreState(bytes: Uint8Array): void {
    this.windows = new Map();
    const grouped = keyedMapsOrLegacy(bytes);
    if (grouped === null) {
      // Before key groups: one opaque snapshot, restorable at its own parallelism only.
      const s = deserialize(bytes) as RankSnapshot;
      this.watermark = s.watermark;
      for (const [end, parts] of s.windows)
        for (const [k, entries] of parts) this.restoreBuffer(end, k, entries);
      return;
    }
    this.watermark = minUnionWatermark(grouped.operatorState);
    for (const [k, [end, entries]] of (grouped.maps['w'] ?? []) as [Key, [number, SortedEntry[]]][])
      this.restoreBuffer(end, k, entries);
  }

  private restoreBuffer(end: number, key: Key, entries: SortedEntry[]): void {
    let m = this.windows.get(end);
    if (m === undefined) this.windows.set(end, (m = new Map()));
    m.set(key, new TopNBuffer(this.cfg.orderKeys, entries));
  }

  finish(): void {}

  close(): void {
    this.trigger.cancel();
    this.windows.clear();
  }
}

/** Drops the sort keys that can no longer rank within `rankEnd` (those after rankEnd rows, or rankEnd keys). */
function trim(buf: TopNBuffer, rankType: RankType, rankEnd: number): void {
  if (rankType === 'DENSE_RANK') {
    if (buf.entries.length > rankEnd) buf.truncate(rankEnd);
    return;
  }
  if (buf.size <= rankEnd) return;
  let before = 0;
  for (let i = 0; i < buf.entries.length; i++) {
    if (before >= rankEnd) {
      buf.truncate(i);
      return;
    }
    before += (buf.entries[i] as SortedEntry).rows.length;
  }
}

interface KeptRow {
  readonly time: number;
  readonly row: Value[];
}

interface DedupSnapshot {
  readonly watermark: number;
  readonly windows: Map<number, Map<Key, KeptRow>>;
}

export class WindowDeduplicateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: window_end → key → the first (smallest time) or last (largest, latest arrival) row.
  private windows = new Map<number, Map<Key, KeptRow>>();
  private watermark = -Infinity;
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  private readonly cfg: WindowDeduplicateConfig;
  private readonly keySelector: KeySelector;
  private readonly out: ChangelogBuilder;
  private readonly rowNumber: Value;

  constructor(cfg: WindowDeduplicateConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.cfg = cfg;
    this.keySelector = partitionSelector(cfg.inputSchema, cfg.keys);
    this.out = new ChangelogBuilder(cfg.outputSchema, cfg.inputSchema.size);
    this.rowNumber = cfg.outputSchema.size > cfg.inputSchema.size ? 1n : null;
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const ends = timesOf(batch, this.cfg.windowEndCol);
    const times = timesOf(batch, this.cfg.timeCol);
    const keys = this.keySelector.keysOf(batch);
    const keepLast = this.cfg.keepLastRow;
    let late = 0;
    for (let r = 0; r < batch.length; r++) {
      rejectRetraction(this.name, 'Window deduplicate', batch.kinds[r] as number);
      const end = ends[r] as number;
      if (isFired(end, this.watermark)) {
        late++;
        continue;
      }
      let window = this.windows.get(end);
      if (window === undefined) this.windows.set(end, (window = new Map()));
      const k = keys[r] as Key;
      const t = times[r] as number;
      const prev = window.get(k);
      // DeduplicateFunctionHelper.shouldKeepCurrentRow: keep-last takes ties (the later arrival), keep-first not.
      if (prev === undefined || (keepLast ? prev.time <= t : t < prev.time))
        window.set(k, { time: t, row: stateRowAt(batch, r) });
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
  }

  processWatermark(timestamp: number): void {
    if (timestamp > this.watermark) {
      this.watermark = timestamp;
      for (const end of dueWindows(this.windows, timestamp)) {
        for (const kept of (this.windows.get(end) as Map<Key, KeptRow>).values())
          this.out.add(kept.row, 0, this.rowNumber);
        this.windows.delete(end);
      }
      this.out.flush(this.output as Output);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  /** Key-grouped as the window Top-N's state, the watermark as union state (its minimum after a rescale). */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const [end, kept] of this.windows) for (const [k, row] of kept) sections.add('w', k, [end, row]);
    return sections.encode({ union: new Map([['watermark', [this.watermark]]]) });
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    if (grouped === null) {
      const s = deserialize(bytes) as DedupSnapshot; // before key groups (same parallelism only)
      this.watermark = s.watermark;
      this.windows = s.windows;
      return;
    }
    this.watermark = minUnionWatermark(grouped.operatorState);
    this.windows = new Map();
    for (const [k, [end, row]] of (grouped.maps['w'] ?? []) as [Key, [number, KeptRow]][]) {
      let m = this.windows.get(end);
      if (m === undefined) this.windows.set(end, (m = new Map()));
      m.set(k, row);
    }
  }

  finish(): void {}

  close(): void {
    this.windows.clear();
  }
}
