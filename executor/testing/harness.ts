// The operator test harness (Flink's OneInputStreamOperatorTestHarness, also for two inputs): drives one
// operator directly with rows, watermarks, idleness and a manual processing-time clock, records everything it
// emits in order (rows with row kind and timestamp, watermarks, idleness, side outputs), and snapshots its state
// so that a test can restore it into a fresh operator and go on.
import { batchToRows, MAX_WATERMARK, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { RowBatchBuilder } from '../datastream/rows.js';
import { DEFAULT_MAX_PARALLELISM } from '../runtime/key.js';
import type { OperatorContext, OperatorMetrics, Output, StreamOperator } from '../runtime/operator.js';
import { ManualProcessingTimeService } from '../runtime/time.js';
import { rowKindShort, type RowKind, type RowKindShort } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';

export type HarnessEvent =
  | { readonly kind: 'record'; readonly rowKind: RowKindShort; readonly row: Value[]; readonly timestamp: number | null }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'status'; readonly idle: boolean };

export interface HarnessOptions {
  /** Schema of each input (one for one-input operators). */
  readonly inputs: readonly Schema[];
  readonly subtaskIndex?: number;
  readonly parallelism?: number;
  readonly maxParallelism?: number;
  readonly autoWatermarkInterval?: number;
  /** Processing time at the start (default 0). */
  readonly startTime?: number;
  /** State from `snapshot()` of an earlier harness, restored before the operator opens. */
  readonly restoreFrom?: Uint8Array;
}

class Counters implements OperatorMetrics {
  readonly values = new Map<string, number>();
  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }
  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
}

export class OperatorTestHarness {
  readonly clock: ManualProcessingTimeService;
  readonly metrics = new Counters();
  private events: HarnessEvent[] = [];
  private readonly side = new Map<string, HarnessEvent[]>();
  private opened = false;

  constructor(
    readonly operator: StreamOperator,
    private readonly opts: HarnessOptions,
  ) {
    this.clock = new ManualProcessingTimeService(opts.startTime ?? 0);
  }

  /** Sets the operator up (restoring state if given) and opens it. Called by the first input if not before. */
  open(): this {
    if (this.opened) return this;
    this.opened = true;
    const ctx: OperatorContext = {
      taskName: `${this.operator.name} (harness)`,
      subtaskIndex: this.opts.subtaskIndex ?? 0,
      parallelism: this.opts.parallelism ?? 1,
      maxParallelism: this.opts.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
      processingTime: this.clock,
      metrics: this.metrics,
      autoWatermarkInterval: this.opts.autoWatermarkInterval ?? 0,
    };
    this.operator.setup?.(ctx);
    if (this.opts.restoreFrom !== undefined) {
      if (this.operator.restoreState === undefined) throw new Error(`${this.operator.name} has no state to restore`);
      this.operator.restoreState(this.opts.restoreFrom);
    }
    this.operator.open(this.output());
    return this;
  }

  private output(): Output {
    const push = (list: HarnessEvent[], b: RecordBatch): void => {
      const rows = batchToRows(b);
      rows.forEach((row, i) => {
        const ts = b.timestamps?.[i];
        list.push({
          kind: 'record',
          rowKind: rowKindShort(b.kinds[i] as number),
          row,
          timestamp: ts === undefined || Number.isNaN(ts) ? null : ts,
        });
      });
    };
    return {
      emitBatch: (b) => push(this.events, b),
      emitSideOutput: (tag, b) => {
        let l = this.side.get(tag);
        if (l === undefined) this.side.set(tag, (l = []));
        push(l, b);
      },
      emitWatermark: (timestamp) => this.events.push({ kind: 'watermark', timestamp }),
      emitWatermarkStatus: (idle) => this.events.push({ kind: 'status', idle }),
    };
  }

  /** One row (with an event timestamp, or none) on input `input`. */
  processElement(row: Value[], timestamp: number | null = null, input = 0, kind?: RowKind): this {
    return this.processElements([[row, timestamp]], input, kind);
  }

  /** Rows as one batch, as a channel would deliver them. */
  processElements(rows: readonly (readonly [Value[], number | null])[], input = 0, kind?: RowKind): this {
    const schema = this.opts.inputs[input];
    if (schema === undefined) throw new RangeError(`the harness has no input ${input}`);
    const b = new RowBatchBuilder(schema);
    for (const [row, ts] of rows) b.append(row, ts ?? Number.NaN, kind);
    const batch = b.build();
    if (batch !== null) this.processBatch(batch, input);
    return this;
  }

  processBatch(batch: RecordBatch, input = 0): this {
    this.open();
    this.operator.processBatch(batch, input);
    return this;
  }

  processWatermark(timestamp: number): this {
    this.open();
    this.operator.processWatermark(timestamp);
    return this;
  }

  processWatermarkStatus(idle: boolean): this {
    this.open();
    const op = this.operator;
    if (op.processWatermarkStatus !== undefined) op.processWatermarkStatus(idle);
    else this.events.push({ kind: 'status', idle });
    return this;
  }

  /** Advances processing time, firing due timers in order. */
  setProcessingTime(time: number): this {
    this.open();
    this.clock.advanceTo(time);
    return this;
  }

  /** Ends the input as a bounded source does: the maximal watermark, then finish. */
  endInput(): this {
    this.processWatermark(MAX_WATERMARK);
    this.operator.finish();
    return this;
  }

  snapshot(): Uint8Array {
    this.open();
    if (this.operator.snapshotState === undefined) throw new Error(`${this.operator.name} has no state to snapshot`);
    return this.operator.snapshotState();
  }

  /** Everything emitted on the main output, in order. */
  getOutput(): HarnessEvent[] {
    return [...this.events];
  }

  /** Just the rows of the main output, as `[rowKind, ...values]` with the timestamp dropped. */
  extractRows(): Value[][] {
    return this.events.flatMap((e) => (e.kind === 'record' ? [e.row] : []));
  }

  getSideOutput(tagId: string): HarnessEvent[] {
    return [...(this.side.get(tagId) ?? [])];
  }

  clearOutput(): this {
    this.events = [];
    this.side.clear();
    return this;
  }

  close(): void {
    this.operator.close();
  }
}

/** Shorthands for expected harness events. */
export const record = (row: Value[], timestamp: number | null = null, rowKind: RowKindShort = '+I'): HarnessEvent => ({
  kind: 'record',
  rowKind,
  row,
  timestamp,
});
export const watermark = (timestamp: number): HarnessEvent => ({ kind: 'watermark', timestamp });
