// Sources in Flink's FLIP-27 shape. A Source hands the runtime one reader per subtask. A split source has an
// enumerator that discovers splits (Kafka partitions, files) and assigns each to one reader, a split reader that
// reads one split from a position, and per-split watermarks merged by minimum inside the reader (Flink's
// SourceOperator with a WatermarkOutputMultiplexer). A bounded reader ends, and the subtask then emits the
// maximal watermark, as Flink does when a bounded source finishes.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import type { Schema } from '../types/schema.js';
import type { SourceReader } from './operator.js';
import { abortableSleep } from './time.js';
import {
  OPERATOR_STATE_ONLY,
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  isKeyGroupedSnapshot,
} from '../state/key-grouped-snapshot.js';

export interface Source {
  readonly outputSchema: Schema;
  readonly bounded: boolean;
  /** The reader of subtask `index` of `parallelism`; each reads its own share (split) of the input. */
  createReader(index: number, parallelism: number): SourceReader;
  /**
   * A copy of this source that runs `watermarks` per split inside its readers (FLIP-27 sources). Sources without
   * it get the strategy applied after them, over the whole stream of the subtask.
   */
  withWatermarks?(watermarks: SourceWatermarks): Source;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-split watermarks

/** Where one split's watermark generator reports (Flink's WatermarkOutput, per split). */
export interface SplitWatermarkOutput {
  emitWatermark(timestamp: number): void;
  markIdle(): void;
  markActive(): void;
}

/** A watermark generator of one split. It sees that split's rows a batch at a time. */
export interface SplitWatermarkGenerator {
  /** Rows of this split were read (punctuated generators may emit here). */
  onBatch(batch: RecordBatch, output: SplitWatermarkOutput): void;
  /** Called every `intervalMs` (periodic generators emit here). */
  onPeriodicEmit(output: SplitWatermarkOutput): void;
}

/** A watermark strategy as a source runs it: one generator per split, idleness, and the emission interval. */
export interface SourceWatermarks {
  createGenerator(splitId: string): SplitWatermarkGenerator;
  /** Gives rows their record timestamps (the DataStream API's timestamp assigner); absent in SQL. */
  assignTimestamps?(batch: RecordBatch): RecordBatch;
  /** A split with no rows for this long (processing time) leaves the minimum (`withIdleness`); null = never. */
  readonly idleTimeoutMs: number | null;
  /** pipeline.auto-watermark-interval: periodic emission; 0 = after every batch read. */
  readonly intervalMs: number;
}

/**
 * SQL's `WATERMARK FOR c AS c - INTERVAL ...` per split, from a function giving each row's watermark candidate
 * (epoch ms; NaN for a NULL): the split's watermark is the largest candidate seen, emitted periodically.
 */
export function expressionWatermarks(
  candidates: (batch: RecordBatch) => Float64Array | null,
  idleTimeoutMs: number | null,
  intervalMs: number,
): SourceWatermarks {
  return {
    idleTimeoutMs,
    intervalMs,
    createGenerator() {
      let max = Number.NEGATIVE_INFINITY;
      return {
        onBatch(batch) {
          const c = candidates(batch);
          if (c === null) return;
          for (let i = 0; i < c.length; i++) {
            const v = c[i] as number;
            if (v > max) max = v;
          }
        },
        onPeriodicEmit(out) {
          if (max > Number.NEGATIVE_INFINITY) out.emitWatermark(max);
        },
      };
    },
  };
}

/** Watermarks from an epoch-ms (or TIMESTAMP) column minus a fixed delay, per split. */
export function columnWatermarks(
  column: number,
  delayMs: number,
  idleTimeoutMs: number | null = null,
  intervalMs = 0,
): SourceWatermarks {
  return expressionWatermarks(
    (batch) => {
      const c = batch.columns[column];
      if (c === undefined || (c.kind !== 'ts' && c.kind !== 'f64' && c.kind !== 'i32')) return null;
      const out = new Float64Array(batch.length);
      const validity = c.validity;
      for (let i = 0; i < out.length; i++) {
        const valid =
          validity === null ||
          validity === undefined ||
          ((validity[i >> 3] as number) & (1 << (i & 7))) !== 0;
        out[i] = valid ? (c.values[i] as number) - delayMs : Number.NaN;
      }
      return out;
    },
    idleTimeoutMs,
    intervalMs,
  );
}

interface SplitWatermarkState {
  readonly generator: SplitWatermarkGenerator;
  readonly output: SplitWatermarkOutput;
  watermark: number;
  /** Idle by the generator's own markIdle. */
  markedIdle: boolean;
  /** Processing time of the split's last rows (or of its assignment). */
  lastActive: number;
}

/**
 * Merges the watermarks of a reader's splits (Flink's WatermarkOutputMultiplexer in SourceOperator): the reader's
 * watermark is the minimum over splits that are not idle and only grows; when every split is idle, or the reader
 * has no split at all, the reader is idle. A finished split leaves the minimum.
 */
export class SplitWatermarkMultiplexer {
  private readonly splits = new Map<string, SplitWatermarkState>();
  private emitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private lastPeriodic: number;

  constructor(
    private readonly strategy: SourceWatermarks,
    private readonly now: () => number = Date.now,
    /**
     * A continuous reader without splits is idle (it may never get one; Flink's SourceOperator does the same). A
     * bounded reader whose splits all finished is about to end instead: idling then would make downstream ignore
     * the final watermark's channel until it ends.
     */
    private readonly idleWithoutSplits = true,
  ) {
    this.lastPeriodic = now();
  }

  get currentWatermark(): number {
    return this.emitted;
  }

  addSplit(splitId: string): void {
    if (this.splits.has(splitId)) return;
    const state: SplitWatermarkState = {
      generator: this.strategy.createGenerator(splitId),
      watermark: Number.NEGATIVE_INFINITY,
      markedIdle: false,
      lastActive: this.now(),
      output: {
        emitWatermark: (ts) => {
          if (ts > state.watermark) state.watermark = ts;
          state.markedIdle = false;
        },
        markIdle: () => void (state.markedIdle = true),
        markActive: () => void (state.markedIdle = false),
      },
    };
    this.splits.set(splitId, state);
  }

  /** The split finished: it no longer holds the watermark back. */
  removeSplit(splitId: string): void {
    this.splits.delete(splitId);
  }

  /** Rows of `splitId` were read: feeds its generator and returns the batch with timestamps assigned. */
  onBatch(splitId: string, batch: RecordBatch): RecordBatch {
    let state = this.splits.get(splitId);
    if (state === undefined) {
      this.addSplit(splitId);
      state = this.splits.get(splitId) as SplitWatermarkState;
    }
    state.lastActive = this.now();
    state.markedIdle = false;
    const stamped = this.strategy.assignTimestamps?.(batch) ?? batch;
    state.generator.onBatch(stamped, state.output);
    return stamped;
  }

  /** Milliseconds until the next periodic emission is due (0 = due now or after every batch). */
  untilDue(): number {
    const interval = this.strategy.intervalMs;
    if (interval <= 0) return 0;
    return Math.max(0, this.lastPeriodic + interval - this.now());
  }

  /**
   * The elements to emit now: an idle/active status change and a watermark when the minimum grew. Periodic
   * generators are asked when the interval has passed (every call with interval 0).
   */
  poll(out: StreamElement[]): void {
    const now = this.now();
    const interval = this.strategy.intervalMs;
    if (interval <= 0 || now - this.lastPeriodic >= interval) {
      this.lastPeriodic = now;
      for (const s of this.splits.values()) s.generator.onPeriodicEmit(s.output);
    }
    const timeout = this.strategy.idleTimeoutMs;
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const s of this.splits.values()) {
      if (s.markedIdle || (timeout !== null && now - s.lastActive >= timeout)) continue;
      active++;
      // An active split without a watermark yet holds the minimum back, as in Flink.
      if (s.watermark < min) min = s.watermark;
    }
    if (active === 0) {
      if (this.splits.size === 0 && !this.idleWithoutSplits) return;
      if (!this.idle) {
        this.idle = true;
        out.push({ kind: 'idle', idle: true });
      }
      return;
    }
    if (this.idle) {
      this.idle = false;
      out.push({ kind: 'idle', idle: false });
    }
    if (min > this.emitted && Number.isFinite(min)) {
      this.emitted = min;
      out.push({ kind: 'watermark', timestamp: min });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Split sources

export interface SourceSplit {
  /** Unique within the source, stable across runs (a checkpoint names splits by it). */
  readonly splitId: string;
}

/** A split's position, as a checkpoint stores it (JSON, so the state is plain bytes). */
export type SplitPosition =
  null | boolean | number | string | readonly SplitPosition[] | { readonly [k: string]: SplitPosition };

/** Discovers splits (Flink's SplitEnumerator, reduced to what a reader needs to pick its own share). */
export interface SplitEnumerator<S extends SourceSplit> {
  /** Every split that exists now; called at start and, for a continuous source, every discovery interval. */
  discoverSplits(signal: AbortSignal): Promise<readonly S[]>;
}

/** One batch read from a split, with the split's position after it. */
export interface SplitRecords {
  readonly batch: RecordBatch;
  readonly position: SplitPosition;
}

/** Reads one split from a position (null = its start) until it ends (bounded splits) or is cancelled. */
export interface SplitReader<S extends SourceSplit> {
  read(split: S, position: SplitPosition, signal: AbortSignal): AsyncIterable<SplitRecords>;
}

export interface SplitSourceOptions {
  /**
   * Continuous sources look for new splits this often (ms) and never end; null = bounded: the splits found at
   * start are read and the source ends.
   */
  readonly discoveryIntervalMs: number | null;
  /** The reader a split goes to; by default a stable hash of the split id, so every reader agrees without talking. */
  readonly assign?: (split: SourceSplit, parallelism: number) => number;
  /**
   * How many splits a reader reads at once (default all). Flink's FileSource reads one file after the other (1),
   * so rows keep their file order; Kafka partitions are all read together.
   */
  readonly concurrentSplits?: number;
}

/** Java's String#hashCode, so assignments match Flink's where it hashes names. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function defaultSplitOwner(split: SourceSplit, parallelism: number): number {
  return (javaStringHash(split.splitId) & 0x7fffffff) % parallelism;
}

/** A source of splits: the enumerator's splits, each read by the reader that owns it, per-split watermarks. */
export class SplitSource<S extends SourceSplit> implements Source {
  readonly bounded: boolean;

  constructor(
    readonly outputSchema: Schema,
    readonly enumerator: SplitEnumerator<S>,
    readonly splitReader: SplitReader<S>,
    readonly options: SplitSourceOptions,
    readonly watermarks: SourceWatermarks | null = null,
  ) {
    this.bounded = options.discoveryIntervalMs === null;
  }

  withWatermarks(watermarks: SourceWatermarks): SplitSource<S> {
    return new SplitSource(this.outputSchema, this.enumerator, this.splitReader, this.options, watermarks);
  }

  createReader(index: number, parallelism: number): SplitSourceReader<S> {
    return new SplitSourceReader(this, index, parallelism);
  }
}

/** The checkpointed state of a split reader: the splits it owns with their positions, and the finished ones. */
interface SplitReaderSnapshot {
  readonly splits: Array<{ readonly split: SourceSplit; readonly position: SplitPosition }>;
  readonly finished: string[];
}

type Pending = Promise<{ id: string; result: IteratorResult<SplitRecords> }>;

/**
 * Reads the splits a subtask owns concurrently (whichever has data first), tracks each split's position, and
 * emits per-split watermarks merged by minimum. Its state (positions, finished splits) snapshots to bytes.
 */
export class SplitSourceReader<S extends SourceSplit> implements SourceReader {
  readonly outputSchema: Schema;
  private readonly positions = new Map<string, { split: S; position: SplitPosition }>();
  private readonly finished = new Set<string>();
  private readonly watermarks: SplitWatermarkMultiplexer | null;

  constructor(
    private readonly source: SplitSource<S>,
    readonly index: number,
    readonly parallelism: number,
  ) {
    this.outputSchema = source.outputSchema;
    this.watermarks =
      source.watermarks === null
        ? null
        : new SplitWatermarkMultiplexer(source.watermarks, Date.now, !source.bounded);
  }

  /**
   * Splits owned and not finished, with their positions, and the finished ones (what a checkpoint takes), as
   * union operator state: on a restore at another parallelism every reader gets every old reader's splits and
   * keeps the ones it owns now, which is the enumerator's re-assignment of Flink's FLIP-27 sources on rescale.
   */
  snapshotState(): Uint8Array {
    return encodeKeyGroupedSnapshot({
      maxParallelism: OPERATOR_STATE_ONLY,
      keyGroups: new Map(),
      operatorState: {
        union: new Map<string, unknown[]>([
          ['splits', [...this.positions.values()].map((p) => ({ split: p.split, position: p.position }))],
          ['finished', [...this.finished]],
        ]),
      },
    });
  }

  /** Resumes from a snapshot: owned splits continue at their positions, finished ones are not read again. */
  restoreState(bytes: Uint8Array): void {
    let snap: SplitReaderSnapshot;
    if (isKeyGroupedSnapshot(bytes)) {
      const union = decodeKeyGroupedSnapshot(bytes).operatorState.union;
      snap = {
        splits: (union?.get('splits') ?? []) as SplitReaderSnapshot['splits'],
        finished: (union?.get('finished') ?? []) as string[],
      };
    } else snap = JSON.parse(new TextDecoder().decode(bytes)) as SplitReaderSnapshot; // before union state
    for (const id of snap.finished) this.finished.add(id);
    for (const s of snap.splits) {
      if (!this.owns(s.split as S)) continue;
      this.positions.set(s.split.splitId, { split: s.split as S, position: s.position });
    }
  }

  /** Splits finished so far (ids). */
  finishedSplits(): readonly string[] {
    return [...this.finished];
  }

  private owns(split: S): boolean {
    const assign = this.source.options.assign ?? defaultSplitOwner;
    return assign(split, this.parallelism) === this.index;
  }

  async *read(outer: AbortSignal): AsyncGenerator<StreamElement> {
    const { enumerator, splitReader, options } = this.source;
    // Split readers stop when the job is cancelled and also when this reader is closed early (its consumer left).
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    outer.addEventListener('abort', onAbort, { once: true });
    const signal = stop.signal;
    const iterators = new Map<string, AsyncIterator<SplitRecords>>();
    const pending = new Map<string, Pending>();
    const wm = this.watermarks;
    const out: StreamElement[] = [];
    const limit = options.concurrentSplits ?? Infinity;
    const queued: Array<{ split: S; position: SplitPosition }> = [];
    const start = (split: S, position: SplitPosition): void => {
      const id = split.splitId;
      if (!this.positions.has(id)) this.positions.set(id, { split, position });
      if (iterators.size >= limit) {
        queued.push({ split, position });
        return;
      }
      const it = splitReader.read(split, position, signal)[Symbol.asyncIterator]();
      iterators.set(id, it);
      wm?.addSplit(id);
      arm(id);
    };
    const arm = (id: string): void => {
      const it = iterators.get(id) as AsyncIterator<SplitRecords>;
      pending.set(
        id,
        it.next().then((result) => ({ id, result })),
      );
    };
    const discover = async (): Promise<void> => {
      for (const split of await enumerator.discoverSplits(signal)) {
        const id = split.splitId;
        if (this.finished.has(id) || iterators.has(id) || queued.some((q) => q.split.splitId === id) || !this.owns(split)) continue;
        start(split, null);
      }
    };
    try {
      // Restored splits continue where they were; then the enumerator's new splits.
      for (const { split, position } of [...this.positions.values()]) start(split, position);
      await discover();
      let nextDiscovery =
        options.discoveryIntervalMs === null ? Infinity : Date.now() + options.discoveryIntervalMs;
      for (;;) {
        if (outer.aborted) return;
        if (pending.size === 0 && options.discoveryIntervalMs === null) break;
        const wait = this.wakeIn(nextDiscovery);
        const tick = Number.isFinite(wait)
          ? abortableSleep(Math.max(0, wait), signal).then(() => null)
          : null;
        const races: Array<Promise<{ id: string; result: IteratorResult<SplitRecords> } | null>> = [
          ...pending.values(),
        ];
        if (tick !== null) races.push(tick);
        if (races.length === 0) {
          await abortableSleep(Math.max(0, nextDiscovery - Date.now()), signal);
        } else {
          const r = await Promise.race(races);
          if (r !== null) {
            pending.delete(r.id);
            if (r.result.done === true) {
              iterators.delete(r.id);
              this.positions.delete(r.id);
              this.finished.add(r.id);
              wm?.removeSplit(r.id);
              const next = queued.shift();
              if (next !== undefined) start(next.split, next.position);
            } else {
              const { batch, position } = r.result.value;
              (this.positions.get(r.id) as { position: SplitPosition }).position = position;
              arm(r.id);
              if (batch.length > 0)
                yield { kind: 'batch', batch: wm === null ? batch : wm.onBatch(r.id, batch) };
            }
          }
        }
        if (Date.now() >= nextDiscovery) {
          await discover();
          nextDiscovery = Date.now() + (options.discoveryIntervalMs as number);
        }
        if (wm !== null) {
          wm.poll(out);
          yield* out.splice(0);
        }
      }
      yield { kind: 'end' };
    } finally {
      outer.removeEventListener('abort', onAbort);
      stop.abort();
      await Promise.all([...iterators.values()].map((it) => it.return?.().catch(() => undefined)));
    }
  }

  /** How long the reader may wait for data before it must discover splits, emit a watermark or check idleness. */
  private wakeIn(nextDiscovery: number): number {
    let t = nextDiscovery - Date.now();
    const w = this.source.watermarks;
    if (this.watermarks !== null && w !== null) {
      if (w.intervalMs > 0) t = Math.min(t, this.watermarks.untilDue());
      if (w.idleTimeoutMs !== null) t = Math.min(t, Math.max(5, w.idleTimeoutMs / 4));
    }
    return t;
  }

  async close(): Promise<void> {}
}
