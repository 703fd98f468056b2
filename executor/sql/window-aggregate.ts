// Window TVF aggregation (Flink's WindowAggOperator with its slicing and unslicing processors): an insert-only
// input, hash-partitioned on `keys`, aggregated per key and TUMBLE, HOP, CUMULATE or SESSION window. A window
// fires when the watermark reaches window_end - 1 and emits one +I row per key that has rows in it:
// keys ++ aggregates ++ window_start, window_end, window_time (= window_end - 1).
//
// Aligned windows keep state per slice (slices.ts): a row updates exactly one slice, a firing window merges its
// slices into a fresh accumulator, and a slice is freed once the last window that needs it has fired. Between two
// fires of a HOP or CUMULATE window the older slices of the next window, complete by then, are merged ahead a few
// thousand accumulators per input batch (PartialWindow), so that the fire itself merges only the newest slice: the
// same merges in the same order as Flink's SliceSharedAssigner.mergeSlices, moved off the firing watermark. A row whose
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
import { columnsKeySelector, keyOfValues } from './keys.js';
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
  sliceSize,
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

/**
 * The merged accumulators of the slices of window `forEnd` but its newest (transient). Built a budget of parts at
 * a time after the previous window fired (all these slices were complete by then); a row landing in one of them
 * (a late row still counting for this window) drops it, and the fire merges every slice as before.
 */
interface PartialWindow {
  readonly forEnd: number;
  /** Ends of the slices merged into `merged`, oldest first. */
  readonly sliceEnds: readonly number[];
  /** The slice being merged (index into sliceEnds) and where in it. */
  next: number;
  it: Iterator<[Key, Part]> | null;
  readonly merged: Map<Key, Part>;
}

/** Parts merged ahead per input batch: a bounded slice of work per step (a few hundred microseconds). */
const MERGE_AHEAD_BUDGET = 2048;

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
  /** The next window's older slices, merged ahead of its fire (HOP, CUMULATE). */
  private partial: PartialWindow | null = null;
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
    const keys = this.keysOf(batch);
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
    if (this.partial !== null) this.mergeAhead(this.partial, MERGE_AHEAD_BUDGET);
  }

  /**
   * The grouping keys of a batch's rows. Several key columns make a text key per row (keys.ts); a window
   * aggregate's input often holds runs of rows with the same key values (a cascaded aggregate over one window's
   * results: every row has the same window_start, window_end), so a row whose flat key cells equal the previous
   * row's reuses its key. Equal to the selector's keys (keyOfValues is its per-row form).
   */
  private keysOf(batch: RecordBatch): readonly Key[] {
    const ks = this.config.keys;
    if (ks.length < 2) return this.selector.keysOf(batch);
    const cols: Float64Array[] = [];
    for (const c of ks) {
      const col = batch.columns[c] as Column;
      // Flat doubles without NULLs (BIGINT and TIMESTAMP(3) values take this layout): others by the selector.
      if (col.kind !== 'f64' || col.validity !== null) return this.selector.keysOf(batch);
      cols.push(col.values);
    }
    const n = batch.length;
    const out = new Array<Key>(n);
    const values = new Array<Value>(ks.length);
    let prev: Key = '';
    for (let r = 0; r < n; r++) {
      let same = r > 0;
      for (let j = 0; same && j < cols.length; j++) {
        const v = cols[j] as Float64Array;
        // Object.is: -0 and 0 have different key texts; NaN equals itself.
        same = Object.is(v[r], v[r - 1]);
      }
      if (!same) {
        for (let j = 0; j < ks.length; j++) {
          const c = ks[j] as number;
          values[j] = getValue(batch.columns[c] as Column, batch.schema.field(c).type, r);
        }
        prev = keyOfValues(values);
      }
      out[r] = prev;
    }
    return out;
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
        // A (late) row in a slice already merged ahead: that merge no longer holds.
        if (this.partial !== null && sliceEnd < this.partial.forEnd) this.partial = null;
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

  /** Fires every window with end - 1 <= time, emitted in batches of at most OUTPUT_BATCH rows. */
  private fireDue(time: number): void {
    // Most watermarks (one per source batch) fire nothing: check before building the output columns.
    if (!this.anyDue(time)) return;
    const output = this.output as Output;
    const out = new Emitter(this.outputSchema, this.nKeys, this.handle, (b) => output.emitBatch(b));
    if (this.config.window.kind === 'SESSION') this.fireSessions(time, out);
    else this.fireWindows(time, out, this.config.window);
    out.flush();
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
        if (only !== undefined) {
          out.reserve(only.size);
          for (const part of only.values()) out.add(part.k, part.a, start, end);
        }
      } else {
        // Oldest slice first, so that FIRST_VALUE/LAST_VALUE see time order (SliceSharedAssigner.mergeSlices).
        const partial = this.partial;
        let merged: Map<Key, Part>;
        let from = 0;
        if (partial !== null && partial.forEnd === end) {
          // The older slices were merged ahead: finish that, then merge only the newest slice into it.
          this.mergeAhead(partial, Infinity);
          merged = partial.merged;
          from = sliceEnds.length - 1;
        } else merged = new Map<Key, Part>();
        this.partial = null;
        for (let i = from; i < sliceEnds.length; i++) {
          const slice = this.slices.get(sliceEnds[i] as number);
          if (slice === undefined) continue;
          for (const [key, part] of slice) {
            let m = merged.get(key);
            if (m === undefined) merged.set(key, (m = { k: part.k, a: handle.createAccumulators() }));
            handle.merge(m.a, part.a);
          }
        }
        out.reserve(merged.size);
        for (const m of merged.values()) out.add(m.k, m.a, start, end);
      }
      for (const se of sliceEnds) if (lastWindowEnd(spec, se) <= end) this.slices.delete(se);
    }
    // The next window's slices but its newest are complete now: merge them ahead of its fire.
    const next = (due[due.length - 1] as number) + sliceSize(spec);
    if (spec.kind !== 'TUMBLE' && this.pending.has(next)) {
      slicesOfWindow(spec, next, sliceEnds);
      if (sliceEnds.length > 1)
        this.partial = {
          forEnd: next,
          sliceEnds: sliceEnds.slice(0, -1),
          next: 0,
          it: null,
          merged: new Map(),
        };
    }
  }

  /** Merges up to `budget` parts of the partial window's slices (in slice order, as the fire would). */
  private mergeAhead(p: PartialWindow, budget: number): void {
    const handle = this.handle;
    const merged = p.merged;
    while (budget > 0 && p.next < p.sliceEnds.length) {
      if (p.it === null) {
        const slice = this.slices.get(p.sliceEnds[p.next] as number);
        if (slice === undefined) {
          p.next++;
          continue;
        }
        p.it = slice.entries();
      }
      const step = p.it.next();
      if (step.done === true) {
        p.it = null;
        p.next++;
        continue;
      }
      const [key, part] = step.value;
      let m = merged.get(key);
      if (m === undefined) merged.set(key, (m = { k: part.k, a: handle.createAccumulators() }));
      handle.merge(m.a, part.a);
      budget--;
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
      operatorState: {
        union: new Map([
          ['watermark', [this.watermark]],
          ['pending', [...this.pending]],
        ]),
      },
    });
  }

  restoreState(bytes: Uint8Array): void {
    const s = decodeKeyGroupedSnapshot(bytes);
    const watermarks = (s.operatorState.union?.get('watermark') ?? []) as number[];
    this.watermark = watermarks.length === 0 ? -Infinity : Math.min(...watermarks);
    this.pending = new Set((s.operatorState.union?.get('pending') ?? []) as number[]);
    this.slices = new Map();
    this.partial = null;
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

/** Rows per emitted batch of a fire: a large window goes out in several, as they are produced. */
const OUTPUT_BATCH = 4096;

/**
 * The output rows of one watermark: keys ++ aggregates ++ window_start, window_end, window_time, emitted in
 * batches of at most OUTPUT_BATCH rows as they are added (a chained sink gets the first rows of a large window
 * before the rest is merged). Builders are sized for the rows announced by `reserve` (a fired window knows its
 * row count), and the three window columns are written as typed arrays rather than appended value by value.
 */
class Emitter {
  private builders: ResultBuilder[] | null = null;
  private starts = new Float64Array(64);
  private ends = new Float64Array(64);
  private n = 0;
  /** Rows announced by `reserve` and not added yet. */
  private expected = 0;
  /** Whether window_start/_end/_time are TIMESTAMP(p <= 3): epoch-ms doubles, written directly. */
  private readonly flatTimes: boolean;

  constructor(
    private readonly schema: Schema,
    private readonly nKeys: number,
    private readonly handle: AggsHandle,
    private readonly emit: (batch: RecordBatch) => void,
  ) {
    const w = nKeys + handle.calls.length;
    this.flatTimes = schema.fields.slice(w).every((f) => {
      const t = f.type;
      return (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && t.precision <= 3 && !t.nullable;
    });
  }

  /** `more` rows are coming (a firing window's count): columns are sized for them, up to a batch. */
  reserve(more: number): void {
    this.expected += more;
  }

  private open(): void {
    const cap = Math.max(64, Math.min(OUTPUT_BATCH, this.expected));
    const w = this.nKeys + this.handle.calls.length;
    this.builders = this.schema.fields.map(
      (f, i) => new ResultBuilder(f.type, i < w || !this.flatTimes ? cap : 8),
    );
    if (this.starts.length < cap) {
      this.starts = new Float64Array(cap);
      this.ends = new Float64Array(cap);
    }
  }

  add(keyValues: readonly Value[], acc: AccState, start: number, end: number): void {
    if (this.builders === null) this.open();
    if (this.n === this.starts.length) {
      const s = new Float64Array(this.n * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Float64Array(this.n * 2);
      e.set(this.ends);
      this.ends = e;
    }
    const bs = this.builders as ResultBuilder[];
    const nk = this.nKeys;
    for (let i = 0; i < nk; i++) (bs[i] as ResultBuilder).append(keyValues[i] as Value);
    this.handle.writeValues(acc, bs, nk);
    this.starts[this.n] = start;
    this.ends[this.n] = end;
    this.n++;
    if (this.expected > 0) this.expected--;
    if (this.n >= OUTPUT_BATCH) this.flush();
  }

  /** Emits the rows added since the last flush as one batch. */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const bs = this.builders as ResultBuilder[];
    const w = this.nKeys + this.handle.calls.length;
    const columns: Column[] = [];
    for (let i = 0; i < w; i++) columns.push((bs[i] as ResultBuilder).finish());
    if (this.flatTimes) {
      const starts = this.starts.slice(0, n);
      const ends = this.ends.slice(0, n);
      const times = new Float64Array(n);
      for (let r = 0; r < n; r++) times[r] = (ends[r] as number) - 1;
      columns.push(
        { kind: 'f64', values: starts, validity: null },
        { kind: 'f64', values: ends, validity: null },
        { kind: 'f64', values: times, validity: null },
      );
    } else {
      for (let r = 0; r < n; r++) {
        (bs[w] as ResultBuilder).append(this.starts[r] as number);
        (bs[w + 1] as ResultBuilder).append(this.ends[r] as number);
        (bs[w + 2] as ResultBuilder).append((this.ends[r] as number) - 1);
      }
      for (let i = w; i < w + 3; i++) columns.push((bs[i] as ResultBuilder).finish());
    }
    this.builders = null;
    this.n = 0;
    this.emit(makeBatch(this.schema, columns, n));
  }
}
