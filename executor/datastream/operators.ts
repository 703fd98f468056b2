// The DataStream API's operators over rows: map, flatMap, filter, the ProcessFunction family (with keyed state,
// timers and side outputs), rolling reduce, and the sink adapter. Each takes whole batches and calls the user's
// per-row function on a row array (rows.ts explains the cost); output rows keep the input row's timestamp, as
// Flink's StreamRecord does.
import { rowAt, takeRows, type RecordBatch } from '../batch/batch.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import {
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  isKeyGroupedSnapshot,
} from '../state/key-grouped-snapshot.js';
import type { Output, OperatorContext, SinkWriter, StreamOperator } from '../runtime/operator.js';
import { InternalTimerService, type InternalTimer } from '../runtime/timer-service.js';
import { restoreKeyedOperator, snapshotKeyedOperator } from '../state/keyed-operator.js';
import { HeapKeyedStateBackend, VOID_NAMESPACE, type KeyedStateBackend } from '../state/heap-backend.js';
import type {
  AggregatingStateDescriptor,
  KeyedStateStore,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/state.js';
import type { Schema } from '../types/schema.js';
import { ValueStateDescriptor as VSD } from '../state/state.js';
import type {
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  MapFunction,
  OnTimerContext,
  OutputTag,
  ProcessFunction,
  ReduceFunction,
  RuntimeContext,
  TimeDomain,
  TimerService,
} from './functions.js';
import { RowBatchBuilder, type Collector, type Row } from './rows.js';

function tsOf(batch: RecordBatch, r: number): number {
  return batch.timestamps === undefined ? Number.NaN : (batch.timestamps[r] as number);
}

abstract class RowOperator implements StreamOperator {
  protected output: Output | null = null;
  protected ctx: OperatorContext | null = null;
  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
  ) {}
  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }
  open(output: Output): void {
    this.output = output;
  }
  abstract processBatch(batch: RecordBatch, input?: number): void;
  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }
  finish(): void {}
  close(): void {}
}

export class MapOperator extends RowOperator {
  constructor(
    name: string,
    outputSchema: Schema,
    private readonly fn: MapFunction,
  ) {
    super(name, outputSchema);
  }
  processBatch(batch: RecordBatch): void {
    const b = new RowBatchBuilder(this.outputSchema);
    for (let r = 0; r < batch.length; r++) b.append(this.fn(rowAt(batch, r)), tsOf(batch, r), batch.kinds[r]);
    const out = b.build();
    if (out !== null) (this.output as Output).emitBatch(out);
  }
}

export class FlatMapOperator extends RowOperator {
  constructor(
    name: string,
    outputSchema: Schema,
    private readonly fn: FlatMapFunction,
  ) {
    super(name, outputSchema);
  }
  processBatch(batch: RecordBatch): void {
    const b = new RowBatchBuilder(this.outputSchema);
    let ts = Number.NaN;
    const collector: Collector = { collect: (row) => b.append(row, ts) };
    for (let r = 0; r < batch.length; r++) {
      ts = tsOf(batch, r);
      this.fn(rowAt(batch, r), collector);
    }
    const out = b.build();
    if (out !== null) (this.output as Output).emitBatch(out);
  }
}

/** Keeps the rows a predicate accepts; the output batch is gathered column by column, not rebuilt from rows. */
export class FilterOperator extends RowOperator {
  constructor(
    name: string,
    outputSchema: Schema,
    private readonly fn: FilterFunction,
  ) {
    super(name, outputSchema);
  }
  processBatch(batch: RecordBatch): void {
    const sel = new Int32Array(batch.length);
    let n = 0;
    for (let r = 0; r < batch.length; r++) if (this.fn(rowAt(batch, r))) sel[n++] = r;
    if (n > 0) (this.output as Output).emitBatch(takeRows(batch, sel, n));
  }
}

/** The output side of a function call: main rows and side-output rows, each batched until the call returns. */
class Emitter implements Collector {
  private main: RowBatchBuilder;
  private readonly side = new Map<string, RowBatchBuilder>();
  /** Timestamp given to emitted rows: the current element's or the firing timer's. */
  timestamp = Number.NaN;

  constructor(schema: Schema) {
    this.main = new RowBatchBuilder(schema);
  }
  collect(row: Row): void {
    this.main.append(row, this.timestamp);
  }
  sideOutput(tag: OutputTag, row: Row): void {
    let b = this.side.get(tag.id);
    if (b === undefined) this.side.set(tag.id, (b = new RowBatchBuilder(tag.schema)));
    b.append(row, this.timestamp);
  }
  flush(out: Output): void {
    const m = this.main.build();
    if (m !== null) out.emitBatch(m);
    for (const [id, b] of this.side) {
      const s = b.build();
      if (s !== null) out.emitSideOutput(id, s);
    }
  }
}

export type ProcessBody =
  | { readonly kind: 'process'; readonly fn: ProcessFunction }
  | { readonly kind: 'keyed'; readonly fn: KeyedProcessFunction }
  | { readonly kind: 'co'; readonly fn: CoProcessFunction };

/**
 * Runs a ProcessFunction, KeyedProcessFunction or CoProcessFunction. With key selectors it owns a keyed state
 * backend and a timer service (the state a checkpoint keeps: `backend`, `timers`); the contexts are transient.
 */
export class ProcessOperator implements StreamOperator, RuntimeContext {
  // Checkpointed state.
  private backend: KeyedStateBackend | null = null;
  private timers: InternalTimerService<number> | null = null;
  // Transient.
  private output: Output | null = null;
  private opCtx: OperatorContext | null = null;
  private emitter: Emitter;
  private currentTs = Number.NaN;
  /** A key-grouped blob (state/keyed-operator.ts), applied in open once the backend exists. */
  private restored: Uint8Array | null = null;
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly ctxObj: OnTimerContext;

  private readonly body: ProcessBody;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    body: ProcessBody,
    /** One per input; null for non-keyed inputs. */
    private readonly keys: readonly (KeySelector | null)[],
  ) {
    // Flink gives every parallel instance its own (deserialised) copy of the function. Closures cannot be
    // copied, but an object inheriting from the user's function keeps fields that `open` sets per subtask.
    this.body = { ...body, fn: Object.create(body.fn) as never };
    this.emitter = new Emitter(outputSchema);
    const timerService: TimerService = {
      currentProcessingTime: () => this.requireCtx().processingTime.now(),
      currentWatermark: () => this.timers?.currentWatermark ?? Number.NEGATIVE_INFINITY,
      registerEventTimeTimer: (t) => this.requireTimers().registerEventTimeTimer(VOID_NAMESPACE as number, t),
      registerProcessingTimeTimer: (t) =>
        this.requireTimers().registerProcessingTimeTimer(VOID_NAMESPACE as number, t),
      deleteEventTimeTimer: (t) => this.requireTimers().deleteEventTimeTimer(VOID_NAMESPACE as number, t),
      deleteProcessingTimeTimer: (t) =>
        this.requireTimers().deleteProcessingTimeTimer(VOID_NAMESPACE as number, t),
    };
    this.ctxObj = {
      timestamp: () => (this.currentTs === this.currentTs ? this.currentTs : null),
      timerService: () => timerService,
      output: (tag, row) => this.emitter.sideOutput(tag, row),
      getCurrentKey: (): Key => {
        if (this.backend === null) throw new Error('getCurrentKey() is only available on a keyed stream');
        return this.backend.getCurrentKey();
      },
      timeDomain: () => this.domain,
    };
  }

  get taskName(): string {
    return this.requireCtx().taskName;
  }
  get indexOfThisSubtask(): number {
    return this.requireCtx().subtaskIndex;
  }
  get numberOfParallelSubtasks(): number {
    return this.requireCtx().parallelism;
  }

  private requireCtx(): OperatorContext {
    if (this.opCtx === null) throw new Error(`${this.name}: operator used before setup`);
    return this.opCtx;
  }

  private requireTimers(): InternalTimerService<number> {
    if (this.timers === null)
      throw new Error(
        'timers can only be used on a keyed stream (Flink: "Setting timers is only supported on a keyed streams")',
      );
    return this.timers;
  }

  private store(): KeyedStateStore & { b: KeyedStateBackend } {
    if (this.backend === null)
      throw new Error('keyed state can only be used on a keyed stream (after keyBy)');
    const b = this.backend;
    return {
      b,
      getState: (d) => b.getValueState(d),
      getListState: (d) => b.getListState(d),
      getMapState: (d) => b.getMapState(d),
      getReducingState: (d) => b.getReducingState(d),
      getAggregatingState: (d) => b.getAggregatingState(d),
    };
  }
  getState<T>(d: ValueStateDescriptor<T>) {
    return this.store().getState(d);
  }
  getListState<T>(d: ListStateDescriptor<T>) {
    return this.store().getListState(d);
  }
  getMapState<K, V>(d: MapStateDescriptor<K, V>) {
    return this.store().getMapState(d);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>) {
    return this.store().getReducingState(d);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>) {
    return this.store().getAggregatingState(d);
  }

  setup(ctx: OperatorContext): void {
    this.opCtx = ctx;
    if (this.keys.some((k) => k !== null)) {
      const backend = new HeapKeyedStateBackend(ctx.maxParallelism, () => ctx.processingTime.now());
      this.backend = backend;
      this.timers = new InternalTimerService<number>(
        backend,
        {
          onEventTime: (t) => this.fire(t, 'EVENT_TIME'),
          onProcessingTime: (t) => this.fire(t, 'PROCESSING_TIME'),
        },
        (ns) => ns,
        {
          now: () => ctx.processingTime.now(),
          // Processing-time timers fire from the mailbox; their output is flushed right after.
          schedule: (time, cb) =>
            ctx.processingTime.schedule(time, (now) => {
              cb(now);
              this.emitter.flush(this.output as Output);
            }),
        },
      );
    }
  }

  restoreState(bytes: Uint8Array): void {
    this.restored = bytes;
  }

  snapshotState(): Uint8Array {
    // Key-grouped (state and timers per key group), so a restore at another parallelism can split it.
    return snapshotKeyedOperator(this.maxParallelism(), this.backend, this.timers?.snapshot() ?? null);
  }

  private maxParallelism(): number {
    return this.backend?.maxParallelism ?? this.opCtx?.maxParallelism ?? 128;
  }

  open(output: Output): void {
    this.output = output;
    if (this.restored !== null) {
      restoreKeyedOperator(this.restored, this.maxParallelism(), this.backend, this.timers);
      this.restored = null;
    }
    this.body.fn.open?.(this);
  }

  processBatch(batch: RecordBatch, input = 0): void {
    const sel = this.keys[input] ?? null;
    const keys = sel?.keysOf(batch) ?? null;
    const backend = this.backend;
    const em = this.emitter;
    const body = this.body;
    for (let r = 0; r < batch.length; r++) {
      if (keys !== null && backend !== null) backend.setCurrentKey(keys[r] as Key);
      const ts = tsOf(batch, r);
      this.currentTs = ts;
      em.timestamp = ts;
      const row = rowAt(batch, r);
      switch (body.kind) {
        case 'process':
          body.fn.processElement(row, this.ctxObj, em);
          break;
        case 'keyed':
          body.fn.processElement(row, this.ctxObj, em);
          break;
        case 'co':
          if (input === 0) body.fn.processElement1(row, this.ctxObj, em);
          else body.fn.processElement2(row, this.ctxObj, em);
          break;
        default: {
          const never: never = body;
          throw new Error(`unknown process body ${String(never)}`);
        }
      }
    }
    em.flush(this.output as Output);
  }

  private fire(t: InternalTimer<number>, domain: TimeDomain): void {
    const body = this.body;
    if (body.kind === 'process') return;
    this.domain = domain;
    this.currentTs = domain === 'EVENT_TIME' ? t.timestamp : Number.NaN;
    this.emitter.timestamp = this.currentTs;
    body.fn.onTimer?.(t.timestamp, this.ctxObj, this.emitter);
  }

  processWatermark(timestamp: number): void {
    const out = this.output as Output;
    if (this.timers !== null) {
      this.timers.advanceWatermark(timestamp);
      this.emitter.flush(out);
    }
    out.emitWatermark(timestamp);
  }

  finish(): void {}

  close(): void {
    this.timers?.close();
    this.body.fn.close?.();
  }
}

/** Keyed rolling reduce (and sum/min/max/minBy/maxBy built on it): emits the running result for every row. */
export class ReduceOperator extends RowOperator {
  private backend: HeapKeyedStateBackend | null = null;
  private readonly desc = new VSD<Row>('reduce');
  private restored: Uint8Array | null = null;

  constructor(
    name: string,
    outputSchema: Schema,
    private readonly key: KeySelector,
    private readonly fn: ReduceFunction,
  ) {
    super(name, outputSchema);
  }
  override setup(ctx: OperatorContext): void {
    super.setup(ctx);
    this.backend = new HeapKeyedStateBackend(ctx.maxParallelism, () => ctx.processingTime.now());
  }
  restoreState(bytes: Uint8Array): void {
    this.restored = bytes;
  }
  override open(output: Output): void {
    super.open(output);
    if (this.restored !== null) (this.backend as HeapKeyedStateBackend).restore(this.restored);
  }
  snapshotState(): Uint8Array {
    return (this.backend as HeapKeyedStateBackend).snapshot();
  }
  processBatch(batch: RecordBatch): void {
    const backend = this.backend as HeapKeyedStateBackend;
    const state = backend.getValueState(this.desc);
    const keys = this.key.keysOf(batch);
    const b = new RowBatchBuilder(this.outputSchema);
    for (let r = 0; r < batch.length; r++) {
      backend.setCurrentKey(keys[r] as Key);
      const row = rowAt(batch, r);
      const cur = state.value();
      const next = cur === undefined ? row : this.fn(cur, row);
      state.update(next);
      b.append(next, tsOf(batch, r));
    }
    const out = b.build();
    if (out !== null) (this.output as Output).emitBatch(out);
  }
}

/** Adapts a SinkWriter: an asynchronous write holds the subtask's input until it completes (backpressure). */
export class SinkOperator implements StreamOperator {
  private pending: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private w: SinkWriter | null = null;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly makeWriter: (subtaskIndex: number, parallelism: number) => SinkWriter,
  ) {}
  private ctx: OperatorContext | null = null;
  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.w = this.makeWriter(ctx.subtaskIndex, ctx.parallelism);
  }
  open(): void {
    this.w ??= this.makeWriter(0, 1);
    const restored = this.recovering ? this.committables : [];
    if (this.recovering) {
      this.recovering = false;
      this.committables = [];
    }
    // The writer starts first (a transactional one aborts what earlier attempts left open above the restored
    // checkpoint), then the restored committables are committed, as Flink's SinkWriterOperator and committer do.
    const init = this.writer.initialize?.({
      subtaskIndex: this.ctx?.subtaskIndex ?? 0,
      parallelism: this.ctx?.parallelism ?? 1,
      restoredCheckpointId: this.restoredCheckpointId,
      checkpointingEnabled: this.ctx?.checkpointingEnabled === true,
    });
    const commit = (): void | Promise<void> =>
      restored.length > 0 ? this.writer.commit?.(restored.map((c) => c.data)) : undefined;
    if (init instanceof Promise) this.track(init.then(commit));
    else this.track(commit());
  }
  /** The checkpoint whose state this attempt restored, or null (a fresh start). */
  private restoredCheckpointId: number | null = null;
  private get writer(): SinkWriter {
    return this.w as SinkWriter;
  }
  private track(p: void | Promise<void>): void {
    if (p === undefined) return;
    const tracked: Promise<void> = p.then(
      () => {
        if (this.pending === tracked) this.pending = null;
      },
      (e: unknown) => {
        this.failure = { error: e };
        if (this.pending === tracked) this.pending = null;
      },
    );
    this.pending = tracked;
  }
  pendingWork(): Promise<void> | null {
    if (this.failure !== null) return Promise.reject(this.failure.error);
    return this.pending;
  }
  processBatch(batch: RecordBatch): void {
    if (this.failure !== null) throw this.failure.error;
    const prev = this.pending;
    this.track(prev === null ? this.writer.write(batch) : prev.then(() => this.writer.write(batch)));
  }
  processWatermark(timestamp: number): void {
    this.writer.writeWatermark?.(timestamp);
  }

  prepareSnapshotPreBarrier(): Promise<void> | null {
    const flush = this.writer.flush;
    if (flush === undefined) return this.pending;
    // Earlier writes first, then the writer's own buffered sends: the checkpoint must cover both.
    const prev = this.pending ?? Promise.resolve();
    return prev.then(() => flush.call(this.writer));
  }

  /** Sealed transactions waiting for their checkpoint to complete, oldest first (the sink's checkpointed state). */
  private committables: { checkpointId: number; data: Uint8Array }[] = [];

  snapshotState(checkpointId = 0): Uint8Array {
    // The subtask takes the snapshot only once earlier writes settled, so the sealed transaction is complete.
    const sealed = this.writer.prepareCommit?.(checkpointId) ?? null;
    if (sealed !== null) this.committables.push({ checkpointId, data: sealed });
    if (this.ended) this.finalSnapshotId ??= checkpointId;
    return encodeCommittables(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM, checkpointId, this.committables);
  }

  restoreState(bytes: Uint8Array): void {
    // Transactions of the restored checkpoint were sealed before it completed; whether or not their commit
    // happened before the failure, committing them again is what the committer contract (idempotence) allows.
    const { checkpointId, committables } = decodeCommittables(bytes);
    this.committables = committables;
    this.restoredCheckpointId = checkpointId;
    this.recovering = true;
  }
  private recovering = false;

  private commitUpTo(checkpointId: number): void {
    const ready = this.committables.filter((c) => c.checkpointId <= checkpointId);
    if (ready.length === 0 || this.writer.commit === undefined) return;
    this.committables = this.committables.filter((c) => c.checkpointId > checkpointId);
    const prev = this.pending;
    const commit = (): Promise<void> => this.writer.commit?.(ready.map((c) => c.data)) ?? Promise.resolve();
    this.track(prev === null ? commit() : prev.then(commit));
  }

  /** Commits what checkpoint `checkpointId` sealed; the final checkpoint's completion then finishes the writer. */
  notifyCheckpointComplete(checkpointId: number): void {
    this.commitUpTo(checkpointId);
    if (this.finalSnapshotId === null || checkpointId < this.finalSnapshotId) return;
    this.finalSnapshotId = null;
    this.ended = false;
    const prev = this.pending;
    const end = (): void | Promise<void> => this.writer.finish();
    this.track(prev === null ? end() : prev.then(end));
  }

  /** Final-checkpoint mode: the input ended; the first snapshot after it is the final checkpoint's. */
  private ended = false;
  private finalSnapshotId: number | null = null;

  /** Whether the last transaction waits for a final checkpoint (a two-phase writer in final-checkpoint mode). */
  private get awaitsFinalCheckpoint(): boolean {
    return this.ctx?.finalCheckpoint === true && this.writer.prepareCommit !== undefined;
  }

  finish(): void {
    if (this.awaitsFinalCheckpoint) {
      // Flink's SinkWriterOperator with checkpoints after tasks finish: the open transaction is sealed by the
      // final checkpoint's snapshot and committed when it completes (notifyCheckpointComplete); the writer's own
      // finish runs after that commit. A failure before then aborts it and the tail is replayed, once.
      this.ended = true;
      return;
    }
    // End of input without a final checkpoint (checkpointing off, or checkpoints-after-tasks-finish false):
    // sealed transactions are committed with the rest (the writer's finish commits its open one). A failure
    // between this commit and the job's end would replay the tail from the last checkpoint.
    const sealed = this.committables;
    this.committables = [];
    const prev = this.pending;
    const end = async (): Promise<void> => {
      if (sealed.length > 0) await this.writer.commit?.(sealed.map((c) => c.data));
      await this.writer.finish();
    };
    this.track(prev === null ? end() : prev.then(end));
  }
  /** Settles when the writer's asynchronous close has (callers that own the sink may await it). */
  closed: Promise<void> = Promise.resolve();
  close(): void {
    const w = this.w;
    if (w !== null) this.closed = w.close().catch(() => undefined);
  }
}

/**
 * The sink's state: the checkpoint it was taken for (the writer's restored checkpoint id) and the committables,
 * as operator state in a key-grouped blob so that a restore at another parallelism can redistribute it: the
 * committables are list state (split over the new subtasks, as Flink's committer state; each is committed by
 * whichever subtask gets it, commits being idempotent), the checkpoint id union state.
 */
function encodeCommittables(
  maxParallelism: number,
  checkpointId: number,
  list: readonly { checkpointId: number; data: Uint8Array }[],
): Uint8Array {
  return encodeKeyGroupedSnapshot({
    maxParallelism,
    keyGroups: new Map(),
    operatorState: {
      list: new Map([['committables', list.map((c) => [c.checkpointId, c.data])]]),
      union: new Map([['checkpoint', [checkpointId]]]),
    },
  });
}

function decodeCommittables(bytes: Uint8Array): {
  checkpointId: number | null;
  committables: { checkpointId: number; data: Uint8Array }[];
} {
  if (isKeyGroupedSnapshot(bytes)) {
    const { operatorState } = decodeKeyGroupedSnapshot(bytes);
    const ids = (operatorState.union?.get('checkpoint') ?? []) as number[];
    const list = (operatorState.list?.get('committables') ?? []) as [number, Uint8Array][];
    return {
      checkpointId: ids.length === 0 ? null : Math.max(...ids),
      committables: list.map(([checkpointId, data]) => ({ checkpointId, data })),
    };
  }
  // Checkpoints written before the blob was key-grouped hold JSON (and before the id was kept, the bare list).
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as
    | [number, string][]
    | { checkpoint: number; committables: [number, string][] };
  const list = Array.isArray(parsed) ? parsed : parsed.committables;
  return {
    checkpointId: Array.isArray(parsed) ? null : parsed.checkpoint,
    committables: list.map(([checkpointId, b64]) => ({
      checkpointId,
      data: new Uint8Array(Buffer.from(b64, 'base64')),
    })),
  };
}
