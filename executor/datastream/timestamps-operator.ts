// Assigns timestamps and generates watermarks (Flink's TimestampsAndWatermarksOperator). Upstream watermarks are
// swallowed except the final maximal one, because this operator defines event time from here on. With the
// auto-watermark interval 0 the generator is asked after every row and a batch is cut where the watermark grows,
// so rows after a watermark see it exactly as with per-record processing.
import { MAX_WATERMARK, rowAt, type RecordBatch } from '../batch/batch.js';
import { sliceBatch } from '../batch/concat.js';
import type { Output, OperatorContext, StreamOperator } from '../runtime/operator.js';
import type { Cancellable } from '../runtime/time.js';
import type { Schema } from '../types/schema.js';
import type { Row } from './rows.js';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from './watermark-strategy.js';

const NO_ROW: Row = [];

export class TimestampsAndWatermarksOperator implements StreamOperator {
  // Transient: a restored operator starts from the restored watermark downstream, as in Flink.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  private generator: WatermarkGenerator | null = null;
  private current = Number.NEGATIVE_INFINITY;
  private idle = false;
  /** Rows seen since the last periodic check, and when inactivity was first noticed (Flink's IdlenessTimer). */
  private activity = false;
  private inactiveSince: number | null = null;
  private timer: Cancellable | null = null;
  private pendingWatermark = Number.NEGATIVE_INFINITY;
  private readonly wmOut: WatermarkOutput;
  private readonly tsField: number;

  constructor(
    readonly name: string,
    readonly outputSchema: Schema,
    private readonly strategy: WatermarkStrategy,
    /** BATCH runtime mode: only the final watermark matters, so none is generated. */
    private readonly emitWatermarks = true,
  ) {
    strategy.validate(outputSchema);
    const a = strategy.timestampAssigner;
    this.tsField = a.kind === 'field' ? outputSchema.indexOf(a.field) : -1;
    this.wmOut = {
      emitWatermark: (ts) => {
        if (ts > this.pendingWatermark) this.pendingWatermark = ts;
      },
      markIdle: () => this.setIdle(true),
      markActive: () => this.setIdle(false),
    };
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    this.generator = this.strategy.createGenerator();
    const ctx = this.ctx;
    if (ctx === null || !this.emitWatermarks) return;
    const interval = ctx.autoWatermarkInterval;
    const idle = this.strategy.idleTimeout;
    // With interval 0 watermarks follow the rows; the timer then only checks idleness.
    const period = interval > 0 ? (idle === null ? interval : Math.min(interval, idle)) : idle;
    if (period !== null) this.schedule(period);
  }

  private schedule(period: number): void {
    const clock = (this.ctx as OperatorContext).processingTime;
    this.timer = clock.schedule(clock.now() + period, (now) => {
      this.onPeriodic(now);
      this.schedule(period);
    });
  }

  private onPeriodic(now: number): void {
    const idle = this.strategy.idleTimeout;
    // Inactivity is measured from the first check that saw no rows, so the watermark of the last rows is
    // always emitted before the stream can go idle.
    if (this.activity) {
      this.activity = false;
      this.inactiveSince = null;
    } else if (this.inactiveSince === null) this.inactiveSince = now;
    else if (idle !== null && !this.idle && now - this.inactiveSince >= idle) this.setIdle(true);
    if ((this.ctx as OperatorContext).autoWatermarkInterval > 0 && !this.idle) {
      (this.generator as WatermarkGenerator).onPeriodicEmit(this.wmOut);
      this.flushWatermark();
    }
  }

  private setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    (this.output as Output).emitWatermarkStatus(idle);
  }

  private flushWatermark(): boolean {
    if (this.pendingWatermark > this.current) {
      this.current = this.pendingWatermark;
      (this.output as Output).emitWatermark(this.current);
      return true;
    }
    return false;
  }

  processBatch(batch: RecordBatch): void {
    const n = batch.length;
    if (n === 0) return;
    const out = this.output as Output;
    const ts = this.timestamps(batch);
    const stamped: RecordBatch = { ...batch, timestamps: ts };
    if (!this.emitWatermarks) {
      out.emitBatch(stamped);
      return;
    }
    this.activity = true;
    if (this.idle) this.setIdle(false);
    const gen = this.generator as WatermarkGenerator;
    const readsEvents = gen.readsEvents !== false;
    const perRecord = ((this.ctx as OperatorContext | null)?.autoWatermarkInterval ?? 0) === 0;
    if (!perRecord) {
      for (let r = 0; r < n; r++) gen.onEvent(readsEvents ? rowAt(batch, r) : NO_ROW, ts[r] as number, this.wmOut);
      out.emitBatch(stamped);
      // Punctuated generators emit from onEvent; their watermark follows the batch.
      this.flushWatermark();
      return;
    }
    let from = 0;
    for (let r = 0; r < n; r++) {
      gen.onEvent(readsEvents ? rowAt(batch, r) : NO_ROW, ts[r] as number, this.wmOut);
      gen.onPeriodicEmit(this.wmOut);
      if (this.pendingWatermark > this.current) {
        out.emitBatch(sliceBatch(stamped, from, r + 1));
        from = r + 1;
        this.flushWatermark();
      }
    }
    if (from < n) out.emitBatch(sliceBatch(stamped, from, n));
  }

  private timestamps(batch: RecordBatch): Float64Array {
    const a = this.strategy.timestampAssigner;
    const n = batch.length;
    switch (a.kind) {
      case 'record':
        if (batch.timestamps === undefined) {
          throw new Error(`${this.name}: rows carry no timestamps; use withTimestampAssigner(field or function)`);
        }
        return batch.timestamps;
      case 'field': {
        const c = batch.columns[this.tsField];
        const out = new Float64Array(n);
        if (c !== undefined && (c.kind === 'f64' || c.kind === 'ts' || c.kind === 'i32' || c.kind === 'f32')) {
          for (let i = 0; i < n; i++) out[i] = c.values[i] as number;
          return out;
        }
        for (let i = 0; i < n; i++) {
          const v = rowAt(batch, i)[this.tsField];
          out[i] = typeof v === 'bigint' ? Number(v) : Number(v);
        }
        return out;
      }
      case 'function': {
        const out = new Float64Array(n);
        const prev = batch.timestamps;
        for (let i = 0; i < n; i++) out[i] = a.fn(rowAt(batch, i), prev === undefined ? null : (prev[i] as number));
        return out;
      }
      default: {
        const never: never = a;
        throw new Error(`unknown timestamp assigner ${String(never)}`);
      }
    }
  }

  processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK && this.current < MAX_WATERMARK) {
      this.current = MAX_WATERMARK;
      (this.output as Output).emitWatermark(MAX_WATERMARK);
    }
  }

  processWatermarkStatus(): void {
    // Idleness is decided here from this operator's own input, as the watermark is.
  }

  finish(): void {}

  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
