// Window TVF aggregation (Flink's WindowAggOperator with its slicing and unslicing processors): an insert-only
// input, hash-partitioned on `keys`, aggregated per key and TUMBLE, HOP, CUMULATE or SESSION window. A window
// fires when the watermark reaches window_end - 1 and emits one +I row per key that has rows in it:
// keys ++ aggregates ++ window_start, window_end, window_time (= window_end - 1).
//
// Aligned windows keep state per slice (slices.ts): a row updates exactly one slice, a firing window merges its
// slices into a fresh accumulator, and a slice is freed once the last window that needs it has fired. A row whose
// slice has fired still counts for the windows of it that have not (AbstractWindowAggProcessor.processElement);
// only a row whose every window has fired is dropped (numLateRecordsDropped). SESSION windows merge per key.
// Over a PROCTIME attribute rows take their arrival's processing time and windows fire on processing time.
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import { DEFAULT_MAX_PARALLELISM, keyGroupOf, type Key, type KeySelector } from '../runtime/key.js';
import { decodeKeyGroupedSnapshot, encodeKeyGroupedSnapshot } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { formatType } from '../types/logical-type.js';
import { RowKind, rowKindShort } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import {
  createAggsHandle,
  exactValue,
  ResultBuilder,
  type AccState,
  type AggCall,
  type AggsHandle,
} from './aggregates.js';
import { columnsKeySelector } from './keys.js';
import {
  checkSliceable,
  heapPeek,
  heapPop,
  heapPush,
  lastWindowEnd,
  newEndHeap,
  firstOverlap,
  overlapEnd,
  ProcessingTimeTrigger,
  sliceEndOf,
  slicesOfWindow,
  windowEndsOfSlice,
  windowStartOfEnd,
  type EndHeap,
  type WindowSpec,
} from './slices.js';

export { describeWindow, formatDuration, windowsOf, type WindowSpec } from './slices.js';

export interface WindowAggregateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** Grouping columns besides window_start/window_end (for SESSION also its PARTITION BY); [] = one group. */
  readonly keys: readonly number[];
  readonly aggs: readonly AggCall[];
  readonly window: WindowSpec;
  /**
   * The time attribute column the windows are over (TIMESTAMP(3) or TIMESTAMP_LTZ(3), epoch ms): a rowtime, or
   * a proctime (its type's timeAttribute), whose rows then take the processing time they arrive at.
   */
  readonly timeCol: number;
  /** keys ++ aggs ++ window_start, window_end (TIMESTAMP(3)), window_time (TIMESTAMP(3) rowtime). */
  readonly outputSchema: Schema;
}

/** One key's accumulators in one slice or session, with the key's values for the output rows. */
interface Part {
  readonly k: Value[];
  a: AccState;
}

/** A session window of one key. */
interface Session {
  start: number;
  end: number;
  part: Part;
}

/**
 * The snapshot is key-grouped (state/key-grouped-snapshot.ts): per key group the keys' slices (slice end ->
 * [key, accumulators]) and sessions; as operator union state the watermark and the ends of windows not yet fired.
 * After a rescale a subtask takes the smallest restored watermark, as Flink's WindowAggOperator does with its
 * union-list "watermark" state; the session end heap is rebuilt from the sessions.
 */
interface KeyGroupSection {
  s?: [number, [Key, Part][]][];
  x?: [Key, Session[]][];
}

export class WindowAggregateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state (Snapshot).
  private watermark = -Infinity;
  private slices = new Map<number, Map<Key, Part>>();
  private pending = new Set<number>();
  private sessions = new Map<Key, Session[]>();
  private sessionEnds: EndHeap = newEndHeap();
  // Transient.
  private readonly handle: AggsHandle;
  private readonly selector: KeySelector;
  private readonly nKeys: number;
  private readonly scratch: number[] = [];
  /** Windows over a PROCTIME attribute: rows take the processing time they arrive at, timers fire windows. */
  private readonly proctime: boolean;
  private readonly trigger = new ProcessingTimeTrigger((now) => this.onProcessingTime(now));
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;

  constructor(private readonly config: WindowAggregateConfig) {
    this.name = config.name;
    this.outputSchema = config.outputSchema;
    checkSliceable(config.window, config.name);
    this.nKeys = config.keys.length;
    const expected = this.nKeys + config.aggs.length + 3;
    if (config.outputSchema.size !== expected) {
      throw new Error(
        `${config.name}: the output schema has ${config.outputSchema.size} fields, expected ${this.nKeys} keys + ${config.aggs.length} aggregates + window_start, window_end, window_time`,
      );
    }
    const tt = config.inputSchema.field(config.timeCol).type;
    if (tt.kind !== 'TIMESTAMP' && tt.kind !== 'TIMESTAMP_LTZ') {
      throw new TypeError(
        `${config.name}: the window time column must be a TIMESTAMP or TIMESTAMP_LTZ, not ${formatType(tt)}`,
      );
    }
    this.proctime = tt.timeAttribute === 'proctime';
    // The input is insert-only, so MIN/MAX keep only their extreme (MinAggFunction, not MinWithRetract).
    this.handle = createAggsHandle(config.aggs, config.inputSchema, { retraction: false });
    this.selector = columnsKeySelector(
      config.keys,
      config.keys.map((k) => config.inputSchema.field(k).name),
    );
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    // Restored processing-time windows fire at their due time as before.
    if (this.proctime) this.requestTimer();
  }

  processBatch(batch: RecordBatch): void {
    const n = batch.length;
    if (n === 0) return;
    const kinds = batch.kinds;
    for (let r = 0; r < n; r++) {
      if (kinds[r] !== RowKind.INSERT) {
        throw new Error(
          `${this.name}: window aggregation takes an insert-only input, but got a ${rowKindShort(kinds[r] as number)} row (Flink's window aggregate does not consume updates)`,
        );
      }
    }
    const keys = this.selector.keysOf(batch);
    if (this.proctime) {
      // Flink's processing-time slice assigners: every row of the batch at the current processing time; nothing
      // is late, a window fires when processing time reaches its end - 1.
      const times = new Float64Array(n).fill(this.processingTime());
      if (this.config.window.kind === 'SESSION')
        this.addToSessions(batch, keys, times, this.config.window.gap, -Infinity);
      else this.addToSlices(batch, keys, times, this.config.window, -Infinity);
      this.requestTimer();
      return;
    }
    const col = batch.columns[this.config.timeCol] as Column;
    if (col.kind !== 'f64' && col.kind !== 'ts')
      throw new TypeError(`${this.name}: the time column has layout ${col.kind}, not epoch ms`);
    if (col.validity !== null) {
      for (let r = 0; r < n; r++) {
        if (!isValid(col.validity, r)) {
          // Flink's slice assigners read the rowtime unchecked: a NULL rowtime is a broken input, not a late row.
          throw new Error(
            `${this.name}: NULL in the rowtime column ${this.config.inputSchema.field(this.config.timeCol).name}`,
          );
        }
      }
    }
    const wm = this.watermark;
    const dropped =
      this.config.window.kind === 'SESSION'
        ? this.addToSessions(batch, keys, col.values, this.config.window.gap, wm)
        : this.addToSlices(batch, keys, col.values, this.config.window, wm);
    if (dropped > 0) this.ctx?.metrics.inc('numLateRecordsDropped', dropped);
  }

  /** Aligned windows: each row into the one slice that holds its time. */
  private addToSlices(
    batch: RecordBatch,
    keys: readonly Key[],
    times: Float64Array,
    spec: Exclude<WindowSpec, { kind: 'SESSION' }>,
    wm: number,
  ): number {
    const handle = this.handle;
    let dropped = 0;
    let lastEnd = Number.NaN;
    let slice: Map<Key, Part> | undefined;
    for (let r = 0; r < batch.length; r++) {
      const sliceEnd = sliceEndOf(spec, times[r] as number);
      if (sliceEnd !== lastEnd) {
        // A row is late only when the last window of its slice has fired; an earlier window having fired
        // does not keep it from the later ones.
        if (lastWindowEnd(spec, sliceEnd) - 1 <= wm) {
          dropped++;
          continue;
        }
        slice = this.slices.get(sliceEnd);
        if (slice === undefined) {
          this.slices.set(sliceEnd, (slice = new Map()));
          for (const e of windowEndsOfSlice(spec, sliceEnd, this.scratch))
            if (e - 1 > wm) this.pending.add(e);
        }
        lastEnd = sliceEnd;
      }
      const key = keys[r] as Key;
      const s = slice as Map<Key, Part>;
      let part = s.get(key);
      if (part === undefined)
        s.set(key, (part = { k: this.keyValues(batch, r), a: handle.createAccumulators() }));
      handle.accumulate(part.a, batch, r);
    }
    return dropped;
  }

  /**
   * SESSION: the row's window [t, t + gap) merges with every session of the key it intersects (touching
   * counts, TimeWindow.intersects). If the merged session has already passed the watermark the row is late.
   */
  private addToSessions(
    batch: RecordBatch,
    keys: readonly Key[],
    times: Float64Array,
    gap: number,
    wm: number,
  ): number {
    const handle = this.handle;
    let dropped = 0;
    for (let r = 0; r < batch.length; r++) {
      const key = keys[r] as Key;
      const ts = times[r] as number;
      let list = this.sessions.get(key);
      const lo = firstOverlap(list, ts);
      const hi = overlapEnd(list, lo, ts + gap);
      let start = ts;
      let end = ts + gap;
      for (let i = lo; i < hi; i++) {
        const s = (list as Session[])[i] as Session;
        if (s.start < start) start = s.start;
        if (s.end > end) end = s.end;
      }
      if (end - 1 <= wm) {
        dropped++;
        continue;
      }
      let session: Session;
      if (lo === hi) {
        session = { start, end, part: { k: this.keyValues(batch, r), a: handle.createAccumulators() } };
        if (list === undefined) this.sessions.set(key, (list = []));
        list.splice(lo, 0, session);
      } else {
        // Merge in time order into the earliest session (FIRST_VALUE/LAST_VALUE keep their meaning).
        const l = list as Session[];
        session = l[lo] as Session;
        for (let i = lo + 1; i < hi; i++) handle.merge(session.part.a, (l[i] as Session).part.a);
        l.splice(lo + 1, hi - lo - 1);
      }
      const grew = session.end !== end;
      session.start = start;
      session.end = end;
      if (lo === hi || grew) heapPush(this.sessionEnds, end, key);
      handle.accumulate(session.part.a, batch, r);
    }
    return dropped;
  }

  private keyValues(batch: RecordBatch, row: number): Value[] {
    const ks = this.config.keys;
    const out = new Array<Value>(ks.length);
    for (let i = 0; i < ks.length; i++) {
      const c = ks[i] as number;
      out[i] = exactValue(getValue(batch.columns[c] as Column, batch.schema.field(c).type, row));
    }
    return out;
  }

  processWatermark(timestamp: number): void {
    // Processing-time windows ignore event time; the watermark only passes through.
    if (timestamp > this.watermark && !this.proctime) {
      this.watermark = timestamp;
      this.fireDue(timestamp);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  /** Fires every window with end - 1 <= time as one output batch. */
  private fireDue(time: number): void {
    // Most watermarks (one per source batch) fire nothing: check before building the output columns.
    if (!this.anyDue(time)) return;
    const out = new Emitter(this.outputSchema, this.nKeys, this.handle);
    if (this.config.window.kind === 'SESSION') this.fireSessions(time, out);
    else this.fireWindows(time, out, this.config.window);
    const b = out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
  }

  private anyDue(time: number): boolean {
    if (this.config.window.kind === 'SESSION') return heapPeek(this.sessionEnds) - 1 <= time;
    for (const e of this.pending) if (e - 1 <= time) return true;
    return false;
  }

  private processingTime(): number {
    if (this.ctx === null)
      throw new Error(`${this.name}: processing-time windows need the operator context (setup)`);
    return this.ctx.processingTime.now();
  }

  private onProcessingTime(now: number): void {
    this.fireDue(now);
    this.requestTimer();
  }

  /** Schedules the processing-time callback for the earliest unfired window's end - 1. */
  private requestTimer(): void {
    if (this.ctx === null) return;
    let next = Infinity;
    if (this.config.window.kind === 'SESSION') next = heapPeek(this.sessionEnds);
    else for (const e of this.pending) if (e < next) next = e;
    if (next !== Infinity) this.trigger.request(this.ctx.processingTime, next - 1);
  }

  /** Fires every pending window with end - 1 <= watermark, by window end, and frees slices no window needs. */
  private fireWindows(wm: number, out: Emitter, spec: Exclude<WindowSpec, { kind: 'SESSION' }>): void {
    const due: number[] = [];
    for (const e of this.pending) if (e - 1 <= wm) due.push(e);
    if (due.length === 0) return;
    due.sort((a, b) => a - b);
    const handle = this.handle;
    const sliceEnds: number[] = [];
    for (const end of due) {
      this.pending.delete(end);
      const start = windowStartOfEnd(spec, end);
      slicesOfWindow(spec, end, sliceEnds);
      if (sliceEnds.length === 1) {
        // TUMBLE (and a first CUMULATE step): the slice is the window.
        const only = this.slices.get(sliceEnds[0] as number);
        if (only !== undefined) for (const part of only.values()) out.add(part.k, part.a, start, end);
      } else {
        // Oldest slice first, so that FIRST_VALUE/LAST_VALUE see time order (SliceSharedAssigner.mergeSlices).
        const merged = new Map<Key, Part>();
        for (const se of sliceEnds) {
          const slice = this.slices.get(se);
          if (slice === undefined) continue;
          for (const [key, part] of slice) {
            let m = merged.get(key);
            if (m === undefined) merged.set(key, (m = { k: part.k, a: handle.createAccumulators() }));
            handle.merge(m.a, part.a);
          }
        }
        for (const m of merged.values()) out.add(m.k, m.a, start, end);
      }
      for (const se of sliceEnds) if (lastWindowEnd(spec, se) <= end) this.slices.delete(se);
    }
  }

  private fireSessions(wm: number, out: Emitter): void {
    const heap = this.sessionEnds;
    while (heapPeek(heap) - 1 <= wm) {
      const end = heapPeek(heap);
      const key = heapPop(heap);
      const list = this.sessions.get(key);
      if (list === undefined) continue;
      // Entries of sessions that later grew are stale: only a session that still ends here fires.
      let i = 0;
      while (i < list.length && (list[i] as Session).end !== end) i++;
      if (i === list.length) continue;
      const s = list[i] as Session;
      list.splice(i, 1);
      if (list.length === 0) this.sessions.delete(key);
      out.add(s.part.k, s.part.a, s.start, s.end);
    }
  }

  snapshotState(): Uint8Array {
    const maxParallelism = this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    const groups = new Map<number, KeyGroupSection>();
    const at = (key: Key): KeyGroupSection => {
      const g = keyGroupOf(key, maxParallelism);
      let sec = groups.get(g);
      if (sec === undefined) groups.set(g, (sec = {}));
      return sec;
    };
    for (const [end, slice] of this.slices) {
      for (const [key, part] of slice) {
        const sec = at(key);
        const ss = (sec.s ??= []);
        const last = ss[ss.length - 1];
        if (last !== undefined && last[0] === end) last[1].push([key, part]);
        else ss.push([end, [[key, part]]]);
      }
    }
    for (const [key, list] of this.sessions) (at(key).x ??= []).push([key, list]);
    return encodeKeyGroupedSnapshot({
      maxParallelism,
      keyGroups: groups,
      operatorState: { union: new Map([['watermark', [this.watermark]], ['pending', [...this.pending]]]) },
    });
  }

  restoreState(bytes: Uint8Array): void {
    const s = decodeKeyGroupedSnapshot(bytes);
    const watermarks = (s.operatorState.union?.get('watermark') ?? []) as number[];
    this.watermark = watermarks.length === 0 ? -Infinity : Math.min(...watermarks);
    this.pending = new Set((s.operatorState.union?.get('pending') ?? []) as number[]);
    this.slices = new Map();
    this.sessions = new Map();
    this.sessionEnds = newEndHeap();
    // Slices in time order (sections of several key groups each list their own ends).
    const bySlice: [number, [Key, Part][]][] = [];
    for (const section of s.keyGroups.values()) {
      const sec = section as KeyGroupSection;
      if (sec.s !== undefined) for (const e of sec.s) bySlice.push(e);
      if (sec.x !== undefined) {
        for (const [key, list] of sec.x) {
          this.sessions.set(key, list);
          for (const session of list) heapPush(this.sessionEnds, session.end, key);
        }
      }
    }
    bySlice.sort((a, b) => a[0] - b[0]);
    for (const [end, parts] of bySlice) {
      let slice = this.slices.get(end);
      if (slice === undefined) this.slices.set(end, (slice = new Map()));
      for (const [key, part] of parts) slice.set(key, part);
    }
  }

  /** Per-key slices or sessions held: tests check that fired state is freed. */
  get stateSize(): number {
    let n = 0;
    for (const m of this.slices.values()) n += m.size;
    for (const l of this.sessions.values()) n += l.length;
    return n;
  }

  /**
   * Nothing to do: event-time windows were fired by the maximal watermark; processing-time windows still open
   * at the end of input are not fired, as Flink does not fire processing-time timers at the end of input.
   */
  finish(): void {}

  close(): void {
    this.trigger.cancel();
  }
}

/** The output rows of one watermark: keys ++ aggregates ++ window_start, window_end, window_time. */
class Emitter {
  private readonly builders: ResultBuilder[];
  private n = 0;

  constructor(
    private readonly schema: Schema,
    private readonly nKeys: number,
    private readonly handle: AggsHandle,
  ) {
    this.builders = schema.fields.map((f) => new ResultBuilder(f.type, 64));
  }

  add(keyValues: readonly Value[], acc: AccState, start: number, end: number): void {
    const bs = this.builders;
    const nk = this.nKeys;
    for (let i = 0; i < nk; i++) (bs[i] as ResultBuilder).append(keyValues[i] as Value);
    this.handle.writeValues(acc, bs, nk);
    const w = nk + this.handle.calls.length;
    (bs[w] as ResultBuilder).append(start);
    (bs[w + 1] as ResultBuilder).append(end);
    (bs[w + 2] as ResultBuilder).append(end - 1);
    this.n++;
  }

  build(): RecordBatch | null {
    if (this.n === 0) return null;
    return makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      this.n,
    );
  }
}
