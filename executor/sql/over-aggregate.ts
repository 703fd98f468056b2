// OVER aggregation (agg(...) OVER (PARTITION BY … ORDER BY time ROWS|RANGE BETWEEN … PRECEDING AND CURRENT ROW)),
// keyed by the partition columns: every input row comes out once, insert-only, with the aggregates over its frame
// appended. On event time, rows wait until the watermark passes them and come out in time order, as Flink's
// RowTimeRangeUnboundedPrecedingFunction, RowTimeRowsUnboundedPrecedingFunction,
// RowTimeRangeBoundedPrecedingFunction and RowTimeRowsBoundedPrecedingFunction do: RANGE frames include the peers
// (rows of the same time), ROWS frames count rows; a bounded frame retracts the rows that leave it.
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, type Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { decodeKeyedMaps, encodeKeyedMaps } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind, rowKindShort } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { createAggsHandle, type AccState, type AggCall, type AggsHandle } from './aggregates.js';
import { CellWriter, partitionSelector, rowsToBatch, stateRowAt, timesOf } from './rank.js';

/** The frame's lower bound; the upper bound is always CURRENT ROW. */
export type OverFrame =
  | { readonly kind: 'ROWS'; /** rows; Infinity = UNBOUNDED */ readonly preceding: number }
  | { readonly kind: 'RANGE'; /** ms; Infinity = UNBOUNDED */ readonly preceding: number };

export interface OverAggregateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly partitionKeys: readonly number[];
  /** The time attribute ordered by (ascending). */
  readonly timeCol: number;
  readonly isRowtime: boolean;
  readonly frame: OverFrame;
  readonly aggs: readonly AggCall[];
  /** The input's fields, then one per aggregate. */
  readonly outputSchema: Schema;
}

/** The state of one partition: plain data, so a snapshot is its v8 serialisation. */
interface Partition {
  acc: AccState;
  /** Rows waiting for the watermark and their times, by time and then arrival (parallel arrays). */
  pendingTimes: number[];
  pendingRows: Value[][];
  /** Bounded frames: the emitted rows still inside the frame (oldest first) and their times. */
  keptTimes: number[];
  keptRows: Value[][];
  /** ROWS bounded: how many rows the accumulators hold (Flink's counterState). */
  count: number;
  /**
   * Bounded frames on event time: the last timer fired; a row at or before it is late (Flink's
   * lastTriggeringTsState, which starts at 0, so rows at or before the epoch are late too).
   */
  lastFired: number;
  /**
   * RANGE bounded on event time: the state-cleanup timers registered and not yet fired, ascending; the last is
   * Flink's cleanupTsState, the earlier ones are stale (Flink does not delete them) and only advance lastFired.
   */
  cleanupTimers: number[];
}

/** One partition's share of a work batch: rows [from, from + kept) are retraction candidates, then due rows. */
interface Work {
  readonly p: Partition;
  readonly from: number;
  readonly kept: number;
  readonly dueTimes: number[];
  readonly dueRows: Value[][];
}

/** The output columns being built: the input's fields, then the aggregates. */
interface Out {
  readonly rows: CellWriter[];
  readonly aggs: ColumnBuilder[];
}

export class OverAggregateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state.
  private partitions = new Map<Key, Partition>();
  private watermark = -Infinity;
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  /** Partitions with rows waiting for the watermark (or, on processing time, for their millisecond to pass). */
  private waiting = new Set<Key>();
  /** Processing time: the time the last scheduled timer fires at. */
  private scheduledUpTo = -Infinity;
  private readonly cfg: OverAggregateConfig;
  private readonly handle: AggsHandle;
  private readonly keySelector: KeySelector;
  private readonly bounded: boolean;
  private readonly rows: boolean;
  /** ROWS: how many rows the frame holds (N PRECEDING + the current row); RANGE: the preceding interval. */
  private readonly offset: number;
  private readonly width: number;
  /** RANGE bounded on event time: idle partitions are cleaned up by event-time timers, as in Flink. */
  private readonly cleans: boolean;

  constructor(cfg: OverAggregateConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.cfg = cfg;
    const pre = cfg.frame.preceding;
    if (!(pre >= 0)) throw new Error(`${cfg.name}: invalid frame ${cfg.frame.kind} ${pre} PRECEDING`);
    this.bounded = Number.isFinite(pre);
    // On processing time an unbounded frame takes each row on its own (ProcTimeUnboundedPrecedingFunction).
    this.rows = cfg.frame.kind === 'ROWS' || (!cfg.isRowtime && !this.bounded);
    // Flink's StreamExecOverAggregate: precedingOffset = bound + 1 for ROWS (the current row is in the frame).
    this.offset = this.rows ? pre + 1 : pre;
    this.cleans = cfg.isRowtime && this.bounded && !this.rows;
    // Unbounded frames never retract, so MIN/MAX need not keep value counts.
    this.handle = createAggsHandle(cfg.aggs, cfg.inputSchema, { retraction: this.bounded });
    if (this.bounded && !this.handle.retractable) {
      throw new Error(`${cfg.name}: the aggregates of a bounded OVER frame must support retraction`);
    }
    this.keySelector = partitionSelector(cfg.inputSchema, cfg.partitionKeys);
    this.width = cfg.inputSchema.size;
    if (cfg.outputSchema.size !== this.width + cfg.aggs.length) {
      throw new Error(
        `${cfg.name}: the output schema must be the input's ${this.width} fields and ${cfg.aggs.length} aggregates`,
      );
    }
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    // Restored processing-time rows still wait for their millisecond to pass.
    if (!this.cfg.isRowtime && this.waiting.size > 0) this.scheduleAfter(this.ctx?.processingTime.now() ?? 0);
  }

  private partition(k: Key): Partition {
    let p = this.partitions.get(k);
    if (p === undefined) {
      p = {
        acc: this.handle.createAccumulators(),
        pendingTimes: [],
        pendingRows: [],
        keptTimes: [],
        keptRows: [],
        count: 0,
        lastFired: 0,
        cleanupTimers: [],
      };
      this.partitions.set(k, p);
    }
    return p;
  }

  processBatch(batch: RecordBatch): void {
    const kinds = batch.kinds;
    for (let r = 0; r < batch.length; r++) {
      if (kinds[r] !== RowKind.INSERT) {
        throw new Error(
          `${this.name}: OVER aggregation takes an insert-only input, got a ${rowKindShort(kinds[r] as number)} row`,
        );
      }
    }
    const keys = this.keySelector.keysOf(batch);
    const times = this.cfg.isRowtime ? timesOf(batch, this.cfg.timeCol) : null;
    // Processing time: every row of the batch is at "now" (its millisecond is what a RANGE frame is made of).
    const now = times === null ? (this.ctx?.processingTime.now() ?? Date.now()) : 0;
    let late = 0;
    for (let r = 0; r < batch.length; r++) {
      const k = keys[r] as Key;
      const t = times === null ? now : (times[r] as number);
      if (times !== null) {
        const p = this.partitions.get(k);
        // Unbounded frames (AbstractRowTimeUnboundedPrecedingOver) drop rows at or behind the watermark; bounded
        // ones (RowTime*BoundedPrecedingFunction) rows at or before the partition's last emitted time.
        const isLate = this.bounded ? t <= (p === undefined ? 0 : p.lastFired) : t <= this.watermark;
        if (isLate || t !== t) {
          late++;
          continue;
        }
      }
      const p = this.partition(k);
      // Rows mostly arrive in time order, so the insertion point is found from the end in a step or two.
      const pt = p.pendingTimes;
      let at = pt.length;
      while (at > 0 && (pt[at - 1] as number) > t) at--;
      if (at === pt.length) {
        pt.push(t);
        p.pendingRows.push(stateRowAt(batch, r));
      } else {
        pt.splice(at, 0, t);
        p.pendingRows.splice(at, 0, stateRowAt(batch, r));
      }
      if (this.cleans) this.registerCleanup(p, t);
      this.waiting.add(k);
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
    if (times !== null) return;
    if (this.rows || !this.bounded) {
      // ProcTimeUnboundedPrecedingFunction, ProcTimeRowsBoundedPrecedingFunction: each row goes out at once.
      this.fire(Infinity);
    } else {
      // ProcTimeRangeBoundedPrecedingFunction: the rows of one millisecond are peers, emitted once it has passed.
      this.scheduleAfter(now);
    }
  }

  /**
   * RowTimeRangeBoundedPrecedingFunction.registerCleanupTimer: once the watermark passes the last row's time by
   * 1.5 frames (and no later row moved the timer on), the partition's rows and accumulators are dropped.
   */
  private registerCleanup(p: Partition, t: number): void {
    const timers = p.cleanupTimers;
    const current = timers[timers.length - 1];
    if (current === undefined || current < t + this.offset + 1)
      timers.push(t + Math.trunc(this.offset * 1.5) + 1);
  }

  /** One processing-time timer per millisecond with waiting rows, at the next millisecond. */
  private scheduleAfter(time: number): void {
    if (time < this.scheduledUpTo || this.ctx === null) return;
    this.scheduledUpTo = time + 1;
    this.ctx.processingTime.schedule(time + 1, (at) => this.fire(at - 1));
  }

  processWatermark(timestamp: number): void {
    if (this.cfg.isRowtime && timestamp > this.watermark) {
      this.watermark = timestamp;
      this.fire(timestamp);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  /**
   * Emits, per waiting partition, the rows with time <= `upTo`. The rows the aggregates need (those due, and the
   * kept rows that leave a bounded frame now) are built into one batch, since accumulators read batches.
   */
  private fire(upTo: number): void {
    const work: Work[] = [];
    const all: Value[][] = [];
    const cleanups: [Partition, number][] = [];
    for (const k of this.waiting) {
      const p = this.partitions.get(k) as Partition;
      let n = 0;
      while (n < p.pendingTimes.length && (p.pendingTimes[n] as number) <= upTo) n++;
      let c = 0;
      while (c < p.cleanupTimers.length && (p.cleanupTimers[c] as number) <= upTo) c++;
      if (n === p.pendingTimes.length && c === p.cleanupTimers.length) this.waiting.delete(k);
      if (c > 0) cleanups.push([p, c]);
      if (n === 0) continue;
      const dueTimes = p.pendingTimes.splice(0, n);
      const dueRows = p.pendingRows.splice(0, n);
      const kept = this.retractionCandidates(p, dueTimes);
      const from = all.length;
      for (let i = 0; i < kept; i++) all.push(p.keptRows[i] as Value[]);
      for (const row of dueRows) all.push(row);
      work.push({ p, from, kept, dueTimes, dueRows });
    }
    if (work.length > 0) this.emitWork(work, all);
    // Cleanup timers come after the rows: every buffered row is older than the partition's cleanup time.
    for (const [p, c] of cleanups) this.cleanup(p, c);
  }

  private emitWork(work: readonly Work[], all: readonly Value[][]): void {
    const batch = rowsToBatch(this.cfg.inputSchema, all);
    const fields = this.outputSchema.fields;
    const out: Out = {
      rows: fields.slice(0, this.width).map((f) => new CellWriter(f.type, all.length)),
      aggs: fields.slice(this.width).map((f) => new ColumnBuilder(f.type, all.length)),
    };
    let emitted = 0;
    for (const w of work) emitted += this.emitPartition(w, batch, out);
    (this.output as Output).emitBatch(
      makeBatch(
        this.outputSchema,
        [...out.rows.map((b) => b.finish()), ...out.aggs.map((b) => b.finish())],
        emitted,
      ),
    );
  }

  /** Fires the first `c` cleanup timers of a partition (all due rows have been emitted). */
  private cleanup(p: Partition, c: number): void {
    const timers = p.cleanupTimers;
    const real = c === timers.length;
    // A stale timer finds no rows at its time but still records it as the last triggering time.
    const staleUpTo = real ? c - 1 : c;
    if (staleUpTo > 0) p.lastFired = Math.max(p.lastFired, timers[staleUpTo - 1] as number);
    timers.splice(0, c);
    if (real) {
      // Every kept row is out of any frame a row after the last one emitted can have: drop them.
      p.keptRows = [];
      p.keptTimes = [];
      p.acc = this.handle.createAccumulators();
    }
  }

  /** How many of the oldest kept rows leave the frame while the due rows are processed. */
  private retractionCandidates(p: Partition, dueTimes: readonly number[]): number {
    if (!this.bounded) return 0;
    if (this.rows) {
      return Math.min(p.keptRows.length, Math.max(0, p.count + dueTimes.length - this.offset));
    }
    const last = dueTimes[dueTimes.length - 1] as number;
    let n = 0;
    while (n < p.keptTimes.length && last - (p.keptTimes[n] as number) > this.offset) n++;
    return n;
  }

  /** Runs one partition's due rows through its accumulators; returns how many rows it emitted. */
  private emitPartition(w: Work, batch: RecordBatch, out: Out): number {
    const { p, from, kept, dueTimes, dueRows } = w;
    const h = this.handle;
    const acc = p.acc;
    const n = dueRows.length;
    const base = from + kept;
    if (!this.bounded) {
      if (this.rows) {
        // ROWS: each row's frame ends at itself, so rows of one time see different values.
        for (let i = 0; i < n; i++) {
          h.accumulate(acc, batch, base + i);
          this.write(dueRows[i] as Value[], acc, out);
        }
        return n;
      }
      // RANGE: peers (rows of one time) are all in each other's frame.
      for (let i = 0; i < n;) {
        const t = dueTimes[i] as number;
        let j = i;
        while (j < n && dueTimes[j] === t) h.accumulate(acc, batch, base + j++);
        for (; i < j; i++) this.write(dueRows[i] as Value[], acc, out);
      }
      return n;
    }
    // Bounded: the rows in the accumulators, oldest first: those kept from earlier firings (batch rows
    // [from, from + kept) for the ones leaving now), then the due rows (batch rows base + i).
    const keptN = p.keptRows.length;
    let head = 0;
    const batchRow = (q: number): number => (q < keptN ? from + q : base + q - keptN);
    const timeOf = (q: number): number =>
      q < keptN ? (p.keptTimes[q] as number) : (dueTimes[q - keptN] as number);
    if (this.rows) {
      // RowTimeRowsBoundedPrecedingFunction: a full frame drops its oldest row before taking the new one.
      for (let i = 0; i < n; i++) {
        if (p.count >= this.offset) h.retract(acc, batch, batchRow(head++));
        else p.count++;
        h.accumulate(acc, batch, base + i);
        this.write(dueRows[i] as Value[], acc, out);
      }
      p.lastFired = Math.max(p.lastFired, dueTimes[n - 1] as number);
    } else {
      // RowTimeRangeBoundedPrecedingFunction: rows older than t - preceding leave, then the peers join.
      for (let i = 0; i < n;) {
        const t = dueTimes[i] as number;
        while (head < keptN + i && t - timeOf(head) > this.offset) h.retract(acc, batch, batchRow(head++));
        let j = i;
        while (j < n && dueTimes[j] === t) h.accumulate(acc, batch, base + j++);
        for (; i < j; i++) this.write(dueRows[i] as Value[], acc, out);
        p.lastFired = Math.max(p.lastFired, t);
      }
    }
    if (head >= keptN) {
      p.keptTimes = dueTimes.slice(head - keptN);
      p.keptRows = dueRows.slice(head - keptN);
    } else {
      p.keptTimes = p.keptTimes.slice(head).concat(dueTimes);
      p.keptRows = p.keptRows.slice(head).concat(dueRows);
    }
    return n;
  }

  private write(row: readonly Value[], acc: AccState, out: Out): void {
    for (let i = 0; i < this.width; i++) (out.rows[i] as CellWriter).append(row[i] as Value);
    this.handle.writeValues(acc, out.aggs, 0);
  }

  snapshotState(): Uint8Array {
    // Key-grouped (partitions by key group, the watermark as union state), so a restore at another parallelism can
    // split it; a rescaled subtask starts from the smallest restored watermark.
    return encodeKeyedMaps(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM, { partitions: this.partitions }, {
      union: new Map([['watermark', [this.watermark]]]),
    });
  }

  restoreState(bytes: Uint8Array): void {
    const s = decodeKeyedMaps(bytes);
    const watermarks = (s.operatorState.union?.get('watermark') ?? []) as number[];
    this.watermark = watermarks.length === 0 ? -Infinity : Math.min(...watermarks);
    this.partitions = new Map((s.maps['partitions'] ?? []) as [Key, Partition][]);
    this.waiting = new Set();
    for (const [k, p] of this.partitions)
      if (p.pendingTimes.length > 0 || p.cleanupTimers.length > 0) this.waiting.add(k);
  }

  /**
   * A bounded input ended. On processing time, rows of the last millisecond go out now rather than never (Flink
   * does not fire processing-time timers after the end of input); on event time the maximal watermark already
   * emitted everything.
   */
  finish(): void {
    if (!this.cfg.isRowtime) this.fire(Infinity);
  }

  close(): void {
    this.partitions.clear();
    this.waiting.clear();
  }
}
