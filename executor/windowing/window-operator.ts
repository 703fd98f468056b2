// The window operator (Flink's WindowOperator / EvictingWindowOperator): assigns each row of a keyed stream to
// windows, keeps per (key, window) contents in keyed state, asks the trigger when to fire, clears a window once
// event time passes its end plus the allowed lateness, and routes rows later than that to the late side output
// or drops and counts them (metric numLateRecordsDropped). Checkpointed state: `backend` (contents, trigger
// state, merging window sets) and `timers`; everything else is transient.
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Key, KeySelector } from '../runtime/key.js';
import type { Output, OperatorContext, StreamOperator } from '../runtime/operator.js';
import { InternalTimerService, type InternalTimer } from '../runtime/timer-service.js';
import { restoreKeyedOperator, snapshotKeyedOperator } from '../state/keyed-operator.js';
import { HeapKeyedStateBackend, type InternalKvState } from '../state/heap-backend.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ValueStateDescriptor,
  type AggregatingState,
  type ListState,
  type ReducingStateDescriptor,
  type ValueState,
} from '../state/state.js';
import type { Schema } from '../types/schema.js';
import type { OutputTag } from '../datastream/functions.js';
import { RowBatchBuilder, type Collector, type Row } from '../datastream/rows.js';
import { evict, type ProcessWindowFunction, type WindowContents, type WindowContext } from './functions.js';
import { MergingWindowSet, type MergingWindowSetData } from './merging-window-set.js';
import * as T from './triggers.js';
import {
  isEventTime,
  isMerging,
  maxTimestamp,
  windowKey,
  WindowAssignerRuntime,
  type TimeWindow,
  type WindowAssigner,
} from './windows.js';

export interface WindowOperatorSpec {
  readonly assigner: WindowAssigner;
  readonly trigger: T.Trigger;
  readonly contents: WindowContents;
  /** null = emit the aggregate's result row (aggregate contents) or every row (list contents). */
  readonly windowFunction: ProcessWindowFunction | null;
  readonly allowedLateness: number;
  readonly lateDataTag: OutputTag | null;
  readonly key: KeySelector;
}

type Acc = unknown;

export class WindowOperator implements StreamOperator {
  // Checkpointed state.
  private backend: HeapKeyedStateBackend | null = null;
  private timers: InternalTimerService<TimeWindow> | null = null;
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  /** A key-grouped blob (state/keyed-operator.ts), applied in open. */
  private restored: Uint8Array | null = null;
  private accState: (AggregatingState<unknown, unknown> & InternalKvState & { getAccumulator(): Acc; setAccumulator(a: Acc): void }) | null =
    null;
  private listState: (ListState<[number, Row]> & InternalKvState) | null = null;
  private mergingSets: (ValueState<MergingWindowSetData> & InternalKvState) | null = null;
  private readonly assign: WindowAssignerRuntime;
  private readonly eventTime: boolean;
  private readonly merging: boolean;
  private main: RowBatchBuilder;
  private readonly side = new Map<string, RowBatchBuilder>();
  private triggerWindow: TimeWindow = { start: 0, end: 0 };
  private mergedStateKeys: readonly (string | number)[] = [];
  private readonly triggerCtx: T.TriggerContext;
  /** Built-in event-time trigger: the hot path skips re-registering a window's timers for every row. */
  private readonly plainEventTime: boolean;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly spec: WindowOperatorSpec,
  ) {
    this.assign = new WindowAssignerRuntime(spec.assigner);
    this.eventTime = isEventTime(spec.assigner);
    this.merging = isMerging(spec.assigner);
    if (this.merging && !T.canMerge(spec.trigger)) throw new Error('the trigger cannot be used with merging (session) windows');
    this.main = new RowBatchBuilder(outputSchema);
    this.plainEventTime = spec.trigger.kind === 'event-time' && !this.merging;
    const ns = (): TimeWindow => this.triggerWindow;
    this.triggerCtx = {
      currentWatermark: () => this.watermark(),
      currentProcessingTime: () => (this.ctx as OperatorContext).processingTime.now(),
      registerEventTimeTimer: (t) => this.requireTimers().registerEventTimeTimer(ns(), t),
      registerProcessingTimeTimer: (t) => this.requireTimers().registerProcessingTimeTimer(ns(), t),
      deleteEventTimeTimer: (t) => this.requireTimers().deleteEventTimeTimer(ns(), t),
      deleteProcessingTimeTimer: (t) => this.requireTimers().deleteProcessingTimeTimer(ns(), t),
      getReducingState: <V>(d: ReducingStateDescriptor<V>) => {
        const s = this.requireBackend().getReducingState(d);
        s.setNamespace(windowKey(spec.assigner, ns()));
        return s;
      },
      mergeReducingState: <V>(d: ReducingStateDescriptor<V>) => {
        const s = this.requireBackend().getReducingState(d);
        s.mergeNamespaces(windowKey(spec.assigner, ns()), this.mergedStateKeys);
      },
    };
  }

  private requireTimers(): InternalTimerService<TimeWindow> {
    return this.timers as InternalTimerService<TimeWindow>;
  }
  private requireBackend(): HeapKeyedStateBackend {
    return this.backend as HeapKeyedStateBackend;
  }
  private watermark(): number {
    return this.timers?.currentWatermark ?? Number.NEGATIVE_INFINITY;
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    const backend = new HeapKeyedStateBackend(ctx.maxParallelism, () => ctx.processingTime.now());
    this.backend = backend;
    this.timers = new InternalTimerService<TimeWindow>(
      backend,
      { onEventTime: (t) => this.onTimer(t, true), onProcessingTime: (t) => this.onTimer(t, false) },
      (w) => windowKey(this.spec.assigner, w),
      {
        now: () => ctx.processingTime.now(),
        schedule: (time, cb) =>
          ctx.processingTime.schedule(time, (now) => {
            cb(now);
            this.flush();
          }),
      },
    );
    const c = this.spec.contents;
    if (c.kind === 'aggregate') {
      const agg = c.aggregate;
      this.accState = backend.getAggregatingState(
        new AggregatingStateDescriptor<unknown, Acc, unknown>('window-contents', {
          createAccumulator: () => agg.createAccumulator(),
          add: (v) => v,
          getResult: (a) => a,
          merge: (a, b) => agg.merge(a, b),
        }),
      );
    } else this.listState = backend.getListState(new ListStateDescriptor<[number, Row]>('window-contents'));
    if (this.merging) this.mergingSets = backend.getValueState(new ValueStateDescriptor<MergingWindowSetData>('merging-window-set'));
  }

  restoreState(bytes: Uint8Array): void {
    this.restored = bytes;
  }

  snapshotState(): Uint8Array {
    // Key-grouped (state and timers per key group), so a restore at another parallelism can split it.
    const backend = this.requireBackend();
    return snapshotKeyedOperator(backend.maxParallelism, backend, this.requireTimers().snapshot());
  }

  open(output: Output): void {
    this.output = output;
    if (this.restored !== null) {
      const backend = this.requireBackend();
      restoreKeyedOperator(this.restored, backend.maxParallelism, backend, this.requireTimers());
      this.restored = null;
    }
  }

  /** Clean-up time of a window: its end plus allowed lateness in event time, its end in processing time. */
  private cleanupTime(w: TimeWindow): number {
    if (!this.eventTime) return maxTimestamp(w);
    const t = maxTimestamp(w) + this.spec.allowedLateness;
    return t >= maxTimestamp(w) ? t : Number.MAX_SAFE_INTEGER;
  }

  private isWindowLate(w: TimeWindow): boolean {
    return this.eventTime && this.cleanupTime(w) <= this.watermark();
  }

  private setNamespace(w: TimeWindow): void {
    const k = windowKey(this.spec.assigner, w);
    if (this.accState !== null) this.accState.setNamespace(k);
    else (this.listState as InternalKvState).setNamespace(k);
  }

  processBatch(batch: RecordBatch): void {
    const keys = this.spec.key.keysOf(batch);
    const backend = this.requireBackend();
    const ts = batch.timestamps;
    if (this.eventTime && ts === undefined) {
      throw new Error(`${this.name}: event-time windows need timestamps; call assignTimestampsAndWatermarks first`);
    }
    const clock = (this.ctx as OperatorContext).processingTime;
    const acc = this.accState;
    const agg = this.spec.contents.kind === 'aggregate' ? this.spec.contents.aggregate : null;
    for (let r = 0; r < batch.length; r++) {
      backend.setCurrentKey(keys[r] as Key);
      const t = this.eventTime ? ((ts as Float64Array)[r] as number) : clock.now();
      const windows = this.assign.assign(t);
      let skipped = true;
      if (this.merging) skipped = this.addToMergingWindows(windows, batch, r, t);
      else {
        for (let i = 0; i < windows.length; i++) {
          const w = windows[i] as TimeWindow;
          if (this.isWindowLate(w)) continue;
          skipped = false;
          let isNew = true;
          if (acc !== null && agg !== null) {
            acc.setNamespace(windowKey(this.spec.assigner, w));
            const cur = acc.getAccumulator();
            isNew = cur === undefined;
            acc.setAccumulator(agg.addRow(isNew ? agg.createAccumulator() : cur, batch, r));
          } else this.addRowToList(w, batch, r, t);
          // Hot path: the built-in event-time trigger only registers the window's timer, which a window that
          // already has contents (and has not fired yet) registered with its first row.
          if (this.plainEventTime && !isNew && maxTimestamp(w) > this.watermark()) continue;
          this.triggerWindow = w;
          this.handleTriggerResult(T.onElement(this.spec.trigger, t, w, this.triggerCtx), w, w);
          this.registerCleanupTimer(w);
        }
      }
      if (skipped && this.eventTime && t + this.spec.allowedLateness <= this.watermark()) {
        const tag = this.spec.lateDataTag;
        if (tag !== null) this.sideRow(tag, rowAt(batch, r), t);
        else (this.ctx as OperatorContext).metrics.inc('numLateRecordsDropped');
      }
    }
    this.flush();
  }

  private addRowToList(stateWindow: TimeWindow, batch: RecordBatch, r: number, t: number): void {
    const list = this.listState as ListState<[number, Row]> & InternalKvState;
    list.setNamespace(windowKey(this.spec.assigner, stateWindow));
    list.add([t, rowAt(batch, r)]);
  }

  private addRow(stateWindow: TimeWindow, batch: RecordBatch, r: number, t: number): void {
    const acc = this.accState;
    const c = this.spec.contents;
    if (acc !== null && c.kind === 'aggregate') {
      acc.setNamespace(windowKey(this.spec.assigner, stateWindow));
      const cur = acc.getAccumulator();
      acc.setAccumulator(c.aggregate.addRow(cur === undefined ? c.aggregate.createAccumulator() : cur, batch, r));
    } else this.addRowToList(stateWindow, batch, r, t);
  }

  /** Session windows: merge the new window into the key's set, then add the row to the resulting state window. */
  private addToMergingWindows(windows: readonly TimeWindow[], batch: RecordBatch, r: number, t: number): boolean {
    const sets = this.mergingSets as ValueState<MergingWindowSetData> & InternalKvState;
    const set = new MergingWindowSet(sets.value());
    let skipped = true;
    for (const w of windows) {
      const actual = set.addWindow(w, (mergeResult, merged, stateResult, mergedState) => {
        if (this.eventTime && maxTimestamp(mergeResult) + this.spec.allowedLateness <= this.watermark()) {
          throw new Error(`merging produced window [${mergeResult.start}, ${mergeResult.end}) that is already late`);
        }
        this.triggerWindow = mergeResult;
        this.mergedStateKeys = mergedState.map((m) => windowKey(this.spec.assigner, m));
        T.onMerge(this.spec.trigger, mergeResult, this.triggerCtx);
        for (const m of merged) {
          this.triggerWindow = m;
          T.clear(this.spec.trigger, m, this.triggerCtx);
          this.deleteCleanupTimer(m);
        }
        // Fold the merged windows' contents into the state window that survives.
        const target = windowKey(this.spec.assigner, stateResult);
        if (this.accState !== null) this.accState.mergeNamespaces(target, this.mergedStateKeys);
        else (this.listState as InternalKvState).mergeNamespaces(target, this.mergedStateKeys);
      });
      if (this.isWindowLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      skipped = false;
      const stateWindow = set.getStateWindow(actual) as TimeWindow;
      this.addRow(stateWindow, batch, r, t);
      this.triggerWindow = actual;
      this.handleTriggerResult(T.onElement(this.spec.trigger, t, actual, this.triggerCtx), actual, stateWindow);
      this.registerCleanupTimer(actual);
    }
    this.persistSet(set);
    return skipped;
  }

  private persistSet(set: MergingWindowSet): void {
    const sets = this.mergingSets as ValueState<MergingWindowSetData> & InternalKvState;
    if (set.size === 0) sets.clear();
    else sets.update(set.data());
  }

  private handleTriggerResult(result: T.TriggerResult, window: TimeWindow, stateWindow: TimeWindow): void {
    if (result === 'CONTINUE') return;
    this.setNamespace(stateWindow);
    if (T.fires(result)) this.emitWindow(window);
    if (T.purges(result)) this.clearContents();
  }

  private clearContents(): void {
    if (this.accState !== null) this.accState.clear();
    else (this.listState as ListState<[number, Row]>).clear();
  }

  private registerCleanupTimer(w: TimeWindow): void {
    const t = this.cleanupTime(w);
    // The global window is never cleaned up (and a timer at the end of time would overflow setTimeout).
    if (w.end === Number.MAX_SAFE_INTEGER) return;
    if (this.eventTime) this.requireTimers().registerEventTimeTimer(w, t);
    else this.requireTimers().registerProcessingTimeTimer(w, t);
  }

  private deleteCleanupTimer(w: TimeWindow): void {
    const t = this.cleanupTime(w);
    if (this.eventTime) this.requireTimers().deleteEventTimeTimer(w, t);
    else this.requireTimers().deleteProcessingTimeTimer(w, t);
  }

  private onTimer(timer: InternalTimer<TimeWindow>, eventTimeTimer: boolean): void {
    const w = timer.namespace;
    let set: MergingWindowSet | null = null;
    let stateWindow = w;
    if (this.merging) {
      set = new MergingWindowSet((this.mergingSets as ValueState<MergingWindowSetData>).value());
      const sw = set.getStateWindow(w);
      // The window was merged into another one after this timer was set: nothing to do.
      if (sw === undefined) return;
      stateWindow = sw;
    }
    this.triggerWindow = w;
    const result = eventTimeTimer
      ? T.onEventTime(this.spec.trigger, timer.timestamp, w, this.triggerCtx)
      : T.onProcessingTime(this.spec.trigger, timer.timestamp, w, this.triggerCtx);
    this.handleTriggerResult(result, w, stateWindow);
    if (eventTimeTimer === this.eventTime && timer.timestamp === this.cleanupTime(w)) {
      this.setNamespace(stateWindow);
      this.clearContents();
      this.triggerWindow = w;
      T.clear(this.spec.trigger, w, this.triggerCtx);
      if (set !== null) set.retireWindow(w);
    }
    if (set !== null) this.persistSet(set);
  }

  private emitWindow(w: TimeWindow): void {
    const key = this.requireBackend().getCurrentKey();
    const c = this.spec.contents;
    let elements: Row[];
    const ts = maxTimestamp(w);
    if (c.kind === 'aggregate') {
      const acc = (this.accState as { getAccumulator(): Acc }).getAccumulator();
      if (acc === undefined) return;
      elements = [c.aggregate.getResult(acc)];
    } else {
      const list = this.listState as ListState<[number, Row]>;
      let pairs = list.get() as [number, Row][];
      if (pairs.length === 0) return;
      if (c.evictor !== null && !c.evictor.doEvictAfter) {
        pairs = evict(c.evictor, pairs);
        list.update(pairs);
      }
      elements = pairs.map((p) => p[1]);
      if (c.evictor !== null && c.evictor.doEvictAfter) list.update(evict(c.evictor, pairs));
    }
    const fn = this.spec.windowFunction;
    if (fn === null) {
      for (const e of elements) this.main.append(e, ts);
      return;
    }
    const out: Collector = { collect: (row) => this.main.append(row, ts) };
    const wctx: WindowContext = {
      window: () => w,
      currentWatermark: () => this.watermark(),
      currentProcessingTime: () => (this.ctx as OperatorContext).processingTime.now(),
      output: (tag, row) => this.sideRow(tag, row, ts),
    };
    fn.process(key, wctx, elements, out);
  }

  private sideRow(tag: OutputTag, row: Row, ts: number): void {
    let b = this.side.get(tag.id);
    if (b === undefined) this.side.set(tag.id, (b = new RowBatchBuilder(tag.schema)));
    b.append(row, ts);
  }

  private flush(): void {
    const out = this.output as Output;
    const m = this.main.build();
    if (m !== null) out.emitBatch(m);
    for (const [id, b] of this.side) {
      const s = b.build();
      if (s !== null) out.emitSideOutput(id, s);
    }
  }

  processWatermark(timestamp: number): void {
    this.requireTimers().advanceWatermark(timestamp);
    this.flush();
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}

  close(): void {
    this.timers?.close();
  }

  /** Live (key, window) entries over all window states: a state-size metric and a test hook. */
  stateEntries(): number {
    return this.backend?.entryCount() ?? 0;
  }
}
