// Mini-batch buffering (Flink's `table.exec.mini-batch.*`: MiniBatchGroupAggFunction and the mini-batch
// assigner's bundle boundaries, here in one wrapper): the input batches of a group aggregate (or its local or
// global phase) are held back and handed to it as one batch when `size` rows are buffered, when `allow-latency`
// has passed since the first buffered row, and before a watermark, a checkpoint barrier or the end of input. What
// the aggregate emits for a bundle is folded per key as MiniBatchGroupAggFunction emits it: a key new in the
// bundle gives one +I, a changed key one -U(old)/+U(new) pair, an unchanged one nothing, a removed one -D(old) —
// instead of one pair per input row: fewer updates for the operators and sinks downstream. Nothing is kept across a checkpoint: the barrier flushes the buffer first, so the snapshot is
// the wrapped operator's alone.
import { makeBatch, rowAt, takeRows, type RecordBatch } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { RowKind } from '../types/row-kind.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import type { Cancellable } from '../runtime/time.js';

export interface MiniBatchOptions {
  /** table.exec.mini-batch.allow-latency in ms: the longest a buffered row waits. */
  readonly intervalMs: number;
  /** table.exec.mini-batch.size: the most rows a bundle holds. */
  readonly size: number;
  /**
   * The output columns holding the group key, whose changes per bundle are folded; null when the wrapped operator
   * emits one row per key and bundle anyway (the local phase of a two-phase aggregate).
   */
  readonly keyColumns?: readonly number[] | null;
}

export class MiniBatchOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: StreamOperator['outputSchema'];
  private buffer: RecordBatch[] = [];
  private rows = 0;
  private ctx: OperatorContext | null = null;
  private timer: Cancellable | null = null;
  /** Bundles handed to the wrapped operator (a metric, and what tests read). */
  bundles = 0;

  constructor(
    private readonly inner: StreamOperator,
    private readonly options: MiniBatchOptions,
  ) {
    this.name = inner.name;
    this.outputSchema = inner.outputSchema;
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.inner.setup?.(ctx);
  }

  private output: Output | null = null;
  /** Set while a bundle is processed: the wrapped operator's rows, folded when the bundle is done. */
  private captured: RecordBatch[] | null = null;

  open(output: Output): void {
    this.output = output;
    const keys = this.options.keyColumns ?? null;
    if (keys === null) {
      this.inner.open(output);
      return;
    }
    this.inner.open({
      emitBatch: (b) => (this.captured !== null ? void this.captured.push(b) : output.emitBatch(b)),
      emitWatermark: (t) => output.emitWatermark(t),
      emitSideOutput: (tag, b) => output.emitSideOutput(tag, b),
      emitWatermarkStatus: (idle) => output.emitWatermarkStatus(idle),
    });
  }

  processBatch(batch: RecordBatch): void {
    if (batch.length === 0) return;
    this.buffer.push(batch);
    this.rows += batch.length;
    if (this.rows >= this.options.size) {
      this.flush();
      return;
    }
    // The first row of a bundle starts its latency clock (Flink's ProcTimeMiniBatchAssignerOperator interval).
    if (this.timer === null && this.ctx !== null && this.options.intervalMs > 0) {
      const pt = this.ctx.processingTime;
      this.timer = pt.schedule(pt.now() + this.options.intervalMs, () => {
        this.timer = null;
        this.flush();
      });
    }
  }

  /** Hands the buffered rows to the wrapped operator as one batch. */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.buffer.length === 0) return;
    const bundle = concatBatches(this.buffer);
    this.buffer = [];
    this.rows = 0;
    this.bundles++;
    const keys = this.options.keyColumns ?? null;
    if (keys === null || this.output === null) {
      this.inner.processBatch(bundle);
      return;
    }
    this.captured = [];
    try {
      this.inner.processBatch(bundle);
    } finally {
      const out = this.captured;
      this.captured = null;
      if (out.length > 0) {
        const folded = foldChanges(concatBatches(out), keys);
        if (folded.length > 0) this.output.emitBatch(folded);
      }
    }
  }

  processWatermark(timestamp: number): void {
    this.flush();
    this.inner.processWatermark(timestamp);
  }

  processWatermarkStatus(idle: boolean): void {
    this.inner.processWatermarkStatus?.(idle);
  }

  prepareSnapshotPreBarrier(checkpointId: number): Promise<void> | null {
    this.flush();
    return this.inner.prepareSnapshotPreBarrier?.(checkpointId) ?? null;
  }

  snapshotState(checkpointId?: number): Uint8Array {
    // The buffer is empty here: prepareSnapshotPreBarrier flushed it before the barrier went on.
    this.flush();
    return this.inner.snapshotState?.(checkpointId) ?? new Uint8Array(0);
  }

  restoreState(bytes: Uint8Array): void {
    this.inner.restoreState?.(bytes);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.inner.notifyCheckpointComplete?.(checkpointId);
  }

  finish(): void {
    this.flush();
    this.inner.finish();
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.inner.close();
  }
}

/** The changes of one bundle folded per key: first old row and last new row of each key decide what is emitted. */
export function foldChanges(b: RecordBatch, keys: readonly number[]): RecordBatch {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const order: string[] = [];
  const text = (r: number, cols: readonly number[] | null): string =>
    JSON.stringify(cols === null ? rowAt(b, r) : cols.map((c) => rowAt(b, r)[c]), (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v instanceof Map ? [...v] : v,
    );
  for (let r = 0; r < b.length; r++) {
    const k = text(r, keys);
    if (!first.has(k)) {
      first.set(k, r);
      order.push(k);
    }
    last.set(k, r);
  }
  const rows = new Int32Array(order.length * 2);
  const kinds = new Uint8Array(order.length * 2);
  let n = 0;
  for (const k of order) {
    const f = first.get(k) as number;
    const l = last.get(k) as number;
    const before = b.kinds[f] === RowKind.UPDATE_BEFORE || b.kinds[f] === RowKind.DELETE;
    const after = b.kinds[l] === RowKind.INSERT || b.kinds[l] === RowKind.UPDATE_AFTER;
    if (!before && after) {
      rows[n] = l;
      kinds[n++] = RowKind.INSERT;
    } else if (before && after) {
      if (text(f, null) === text(l, null)) continue; // unchanged over the bundle: nothing to say
      rows[n] = f;
      kinds[n++] = RowKind.UPDATE_BEFORE;
      rows[n] = l;
      kinds[n++] = RowKind.UPDATE_AFTER;
    } else if (before && !after) {
      rows[n] = f;
      kinds[n++] = RowKind.DELETE;
    }
  }
  const taken = takeRows(b, rows, n);
  return makeBatch(taken.schema, taken.columns, n, kinds.subarray(0, n));
}
