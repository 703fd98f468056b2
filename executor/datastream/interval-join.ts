// Interval join of two keyed streams (Flink's IntervalJoinOperator): a left row at time t joins right rows of
// the same key with timestamps in [t + lower, t + upper]. Both sides are buffered in keyed state by timestamp
// and dropped by event-time timers once no future row can match them; rows behind the watermark are late and
// dropped (counted in numLateRecordsDropped). Output rows carry the larger of the two timestamps.
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Key, KeySelector } from '../runtime/key.js';
import type { Output, OperatorContext, StreamOperator } from '../runtime/operator.js';
import { InternalTimerService, type InternalTimer } from '../runtime/timer-service.js';
import { restoreKeyedOperator, snapshotKeyedOperator } from '../state/keyed-operator.js';
import { HeapKeyedStateBackend, type InternalKvState } from '../state/heap-backend.js';
import { MapStateDescriptor, type MapState } from '../state/state.js';
import type { Schema } from '../types/schema.js';
import { RowBatchBuilder, type Collector, type Row } from './rows.js';

type Buffer = MapState<number, Row[]> & InternalKvState;

/** Timer namespaces: 0 cleans the left buffer, 1 the right one. */
type Side = 0 | 1;

export class IntervalJoinOperator implements StreamOperator {
  // Checkpointed state.
  private backend: HeapKeyedStateBackend | null = null;
  private timers: InternalTimerService<Side> | null = null;
  // Transient.
  private buffers: [Buffer, Buffer] | null = null;
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  /** A key-grouped blob (state/keyed-operator.ts), applied in open. */
  private restored: Uint8Array | null = null;
  private readonly out: RowBatchBuilder;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly keys: readonly KeySelector[],
    private readonly lower: number,
    private readonly upper: number,
    private readonly fn: (left: Row, right: Row, out: Collector) => void,
  ) {
    this.out = new RowBatchBuilder(outputSchema);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    const backend = new HeapKeyedStateBackend(ctx.maxParallelism, () => ctx.processingTime.now());
    this.backend = backend;
    this.buffers = [
      backend.getMapState(new MapStateDescriptor<number, Row[]>('left-buffer')),
      backend.getMapState(new MapStateDescriptor<number, Row[]>('right-buffer')),
    ];
    this.timers = new InternalTimerService<Side>(
      backend,
      { onEventTime: (t) => this.cleanup(t), onProcessingTime: () => {} },
      (side) => side,
      ctx.processingTime,
    );
  }

  restoreState(bytes: Uint8Array): void {
    this.restored = bytes;
  }

  snapshotState(): Uint8Array {
    // Key-grouped (state and timers per key group), so a restore at another parallelism can split it.
    const backend = this.backend as HeapKeyedStateBackend;
    return snapshotKeyedOperator(backend.maxParallelism, backend, (this.timers as InternalTimerService<Side>).snapshot());
  }

  open(output: Output): void {
    this.output = output;
    if (this.restored !== null) {
      const backend = this.backend as HeapKeyedStateBackend;
      restoreKeyedOperator(this.restored, backend.maxParallelism, backend, this.timers as InternalTimerService<Side>);
      this.restored = null;
    }
  }

  processBatch(batch: RecordBatch, input = 0): void {
    if (batch.timestamps === undefined) throw new Error(`${this.name}: interval joins need event timestamps`);
    const side: Side = input === 0 ? 0 : 1;
    const keys = (this.keys[side] as KeySelector).keysOf(batch);
    const backend = this.backend as HeapKeyedStateBackend;
    const timers = this.timers as InternalTimerService<Side>;
    const [left, right] = this.buffers as [Buffer, Buffer];
    const mine = side === 0 ? left : right;
    const theirs = side === 0 ? right : left;
    // Which timestamps of the other side match a row at t: [t+lower, t+upper] seen from the left.
    const lo = side === 0 ? this.lower : -this.upper;
    const hi = side === 0 ? this.upper : -this.lower;
    for (let r = 0; r < batch.length; r++) {
      const t = batch.timestamps[r] as number;
      if (t < timers.currentWatermark) {
        (this.ctx as OperatorContext).metrics.inc('numLateRecordsDropped');
        continue;
      }
      backend.setCurrentKey(keys[r] as Key);
      const row = rowAt(batch, r);
      for (const [ot, rows] of theirs.entries()) {
        if (ot < t + lo || ot > t + hi) continue;
        const ts = Math.max(t, ot);
        for (const o of rows) {
          this.fn(side === 0 ? row : o, side === 0 ? o : row, { collect: (x) => this.out.append(x, ts) });
        }
      }
      const list = mine.get(t) ?? [];
      list.push(row);
      mine.put(t, list);
      // A left row can still match right rows up to t + upper; a right row left rows down to t - lower.
      timers.registerEventTimeTimer(side, side === 0 ? t + Math.max(this.upper, 0) : t - Math.min(this.lower, 0));
    }
    this.flush();
  }

  private cleanup(t: InternalTimer<Side>): void {
    const buf = (this.buffers as [Buffer, Buffer])[t.namespace];
    const at = t.namespace === 0 ? t.timestamp - Math.max(this.upper, 0) : t.timestamp + Math.min(this.lower, 0);
    buf.remove(at);
  }

  private flush(): void {
    const b = this.out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
  }

  processWatermark(timestamp: number): void {
    (this.timers as InternalTimerService<Side>).advanceWatermark(timestamp);
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}

  close(): void {
    this.timers?.close();
  }
}
