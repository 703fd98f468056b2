// Event time for the DataStream API (Flink's WatermarkStrategy): a timestamp assigner gives each row its event
// time, a watermark generator turns the timestamps seen into watermarks, optionally with idleness detection.
// Generators are emitted from periodically (pipeline.auto-watermark-interval) or, with interval 0, after every
// row; watermarks only ever grow.
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { SourceWatermarks, SplitWatermarkGenerator } from '../runtime/source.js';
import type { Schema } from '../types/schema.js';
import type { Row } from './rows.js';

const NO_ROW: Row = [];

export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator {
  /** Punctuated generators emit here. `event` is empty when the generator declares `readsEvents: false`. */
  onEvent(event: Row, timestamp: number, output: WatermarkOutput): void;
  /** Periodic generators emit here, every auto-watermark interval. */
  onPeriodicEmit(output: WatermarkOutput): void;
  /** false lets the runtime skip building a row per record for the generator (the built-ins do not read it). */
  readonly readsEvents?: boolean;
}

/** How rows get their event time: a field of the row (fast path, read from the column) or a function. */
export type TimestampAssigner =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'function'; readonly fn: (row: Row, recordTimestamp: number | null) => number }
  /** Keep the timestamps the rows already carry (from the source). */
  | { readonly kind: 'record' };

/** Flink's BoundedOutOfOrdernessWatermarks: watermark = max timestamp seen - bound - 1. */
export class BoundedOutOfOrdernessWatermarks implements WatermarkGenerator {
  readonly readsEvents = false;
  private max: number;
  constructor(private readonly outOfOrdernessMs: number) {
    if (outOfOrdernessMs < 0) throw new RangeError('the out-of-orderness bound must not be negative');
    this.max = Number.MIN_SAFE_INTEGER + outOfOrdernessMs + 1;
  }
  onEvent(_event: Row, timestamp: number): void {
    if (timestamp > this.max) this.max = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.max - this.outOfOrdernessMs - 1);
  }
}

export class WatermarkStrategy {
  private constructor(
    readonly createGenerator: () => WatermarkGenerator,
    readonly timestampAssigner: TimestampAssigner,
    /** Processing-time ms without rows after which the stream is marked idle; null = never. */
    readonly idleTimeout: number | null,
  ) {}

  /** Timestamps never decrease: watermark = max timestamp - 1. */
  static forMonotonousTimestamps(): WatermarkStrategy {
    return new WatermarkStrategy(() => new BoundedOutOfOrdernessWatermarks(0), { kind: 'record' }, null);
  }

  static forBoundedOutOfOrderness(maxOutOfOrdernessMs: number): WatermarkStrategy {
    return new WatermarkStrategy(
      () => new BoundedOutOfOrdernessWatermarks(maxOutOfOrdernessMs),
      { kind: 'record' },
      null,
    );
  }

  /** A custom (periodic or punctuated) generator, one instance per parallel subtask. */
  static forGenerator(factory: () => WatermarkGenerator): WatermarkStrategy {
    return new WatermarkStrategy(factory, { kind: 'record' }, null);
  }

  /** Timestamps only; event time never advances until the input ends (Flink's noWatermarks). */
  static noWatermarks(): WatermarkStrategy {
    return new WatermarkStrategy(
      () => ({ readsEvents: false, onEvent: () => {}, onPeriodicEmit: () => {} }),
      { kind: 'record' },
      null,
    );
  }

  /** Event time from a row field (TIMESTAMP(3) or an epoch-ms number) or from a function of the row. */
  withTimestampAssigner(
    assigner: string | ((row: Row, recordTimestamp: number | null) => number),
  ): WatermarkStrategy {
    return new WatermarkStrategy(
      this.createGenerator,
      typeof assigner === 'string' ? { kind: 'field', field: assigner } : { kind: 'function', fn: assigner },
      this.idleTimeout,
    );
  }

  withIdleness(idleTimeoutMs: number): WatermarkStrategy {
    if (idleTimeoutMs <= 0) throw new RangeError('the idle timeout must be positive');
    return new WatermarkStrategy(this.createGenerator, this.timestampAssigner, idleTimeoutMs);
  }

  /**
   * The strategy as a split source runs it (Flink's SourceOperator): one generator per split, fed that split's
   * rows, idleness per split, emission every `intervalMs` (0 = after every batch read).
   */
  forSource(schema: Schema, intervalMs: number): SourceWatermarks {
    this.validate(schema);
    const a = this.timestampAssigner;
    const tsField = a.kind === 'field' ? schema.indexOf(a.field) : -1;
    const timestamps = (batch: RecordBatch): Float64Array => {
      const n = batch.length;
      if (a.kind === 'record') {
        if (batch.timestamps === undefined)
          throw new Error('rows carry no timestamps; use withTimestampAssigner(field or function)');
        return batch.timestamps;
      }
      const out = new Float64Array(n);
      if (a.kind === 'field') {
        const c = batch.columns[tsField];
        if (
          c !== undefined &&
          (c.kind === 'f64' || c.kind === 'ts' || c.kind === 'i32' || c.kind === 'f32')
        ) {
          for (let i = 0; i < n; i++) out[i] = c.values[i] as number;
        } else for (let i = 0; i < n; i++) out[i] = Number(rowAt(batch, i)[tsField]);
        return out;
      }
      const prev = batch.timestamps;
      for (let i = 0; i < n; i++)
        out[i] = a.fn(rowAt(batch, i), prev === undefined ? null : (prev[i] as number));
      return out;
    };
    const create = this.createGenerator;
    return {
      idleTimeoutMs: this.idleTimeout,
      intervalMs,
      assignTimestamps: (batch) =>
        a.kind === 'record' ? batch : { ...batch, timestamps: timestamps(batch) },
      createGenerator(): SplitWatermarkGenerator {
        const gen = create();
        const reads = gen.readsEvents !== false;
        return {
          onBatch(batch, output) {
            const ts = timestamps(batch);
            for (let r = 0; r < batch.length; r++)
              gen.onEvent(reads ? rowAt(batch, r) : NO_ROW, ts[r] as number, output);
          },
          onPeriodicEmit: (output) => gen.onPeriodicEmit(output),
        };
      },
    };
  }

  /** Checks the assigner against the stream's schema, so a typo fails when the program is built. */
  validate(schema: Schema): void {
    const a = this.timestampAssigner;
    if (a.kind !== 'field') return;
    const i = schema.indexOf(a.field);
    if (i < 0) throw new Error(`timestamp field '${a.field}' is not in ${schema.toString()}`);
  }
}
