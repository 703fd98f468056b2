// Deduplication (ROW_NUMBER() OVER (PARTITION BY k ORDER BY time_attr ASC|DESC) = 1), keyed by k: Flink's
// ProcTimeDeduplicateKeepFirstRowFunction (insert-only: the first row of a key, later ones dropped),
// ProcTimeDeduplicateKeepLastRowFunction (each new row replaces the last one: +I, then -U/+U; a changelog input's
// retraction deletes it) and RowTimeDeduplicateFunction (the row with the smallest/largest event time wins; the
// result is updated as soon as a better row arrives, not on the watermark, and no row is ever late).
import { type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { decodeKeyedMaps, encodeKeyedMaps } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { isAccumulate, RowKind } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { ChangelogBuilder, partitionSelector, rowsEqual, timesOf, stateRowAt } from './rank.js';

export interface DeduplicateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly keys: readonly number[];
  /** ORDER BY time DESC keeps the last row; ASC the first. */
  readonly keepLastRow: boolean;
  /** The time attribute ordered by (read only for rowtime). */
  readonly timeCol: number;
  readonly isRowtime: boolean;
  readonly generateUpdateBefore: boolean;
  /** The input's fields (optionally followed by the row number, always 1). */
  readonly outputSchema: Schema;
}

type Mode = 'procFirst' | 'procLast' | 'rowtime';

export class DeduplicateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state. Keep-first on proctime needs only the keys seen; the others keep the current row per key
  // (and, on rowtime, its event time, so a new row is compared without reading the stored row).
  private firstSeen = new Set<Key>();
  private rows = new Map<Key, Value[]>();
  private times = new Map<Key, number>();
  // Transient.
  private output: Output | null = null;
  private readonly mode: Mode;
  private readonly keepLast: boolean;
  private readonly timeCol: number;
  private readonly updateBefore: boolean;
  private readonly keySelector: KeySelector;
  private readonly out: ChangelogBuilder;
  private readonly rowNumber: Value;

  constructor(cfg: DeduplicateConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.mode = cfg.isRowtime ? 'rowtime' : cfg.keepLastRow ? 'procLast' : 'procFirst';
    this.keepLast = cfg.keepLastRow;
    this.timeCol = cfg.timeCol;
    this.updateBefore = cfg.generateUpdateBefore;
    this.keySelector = partitionSelector(cfg.inputSchema, cfg.keys);
    this.out = new ChangelogBuilder(cfg.outputSchema, cfg.inputSchema.size);
    this.rowNumber = cfg.outputSchema.size > cfg.inputSchema.size ? 1n : null;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const keys = this.keySelector.keysOf(batch);
    switch (this.mode) {
      case 'procFirst':
        this.keepFirstOnProcTime(batch, keys);
        break;
      case 'procLast':
        this.keepLastOnProcTime(batch, keys);
        break;
      case 'rowtime':
        this.onRowTime(batch, keys);
        break;
    }
    this.out.flush(this.output as Output);
  }

  private keepFirstOnProcTime(batch: RecordBatch, keys: readonly Key[]): void {
    for (let r = 0; r < batch.length; r++) {
      this.checkInsertOnly(batch.kinds[r] as number);
      const k = keys[r] as Key;
      if (this.firstSeen.has(k)) continue;
      this.firstSeen.add(k);
      this.out.add(stateRowAt(batch, r), RowKind.INSERT, this.rowNumber);
    }
  }

  /** processLastRowOnProcTime for accumulations, processLastRowOnChangelog for retractions. */
  private keepLastOnProcTime(batch: RecordBatch, keys: readonly Key[]): void {
    for (let r = 0; r < batch.length; r++) {
      const k = keys[r] as Key;
      const prev = this.rows.get(k);
      if (isAccumulate(batch.kinds[r] as number)) {
        const row = stateRowAt(batch, r);
        this.rows.set(k, row);
        if (prev === undefined) {
          this.out.add(row, RowKind.INSERT, this.rowNumber);
        } else if (!rowsEqual(prev, row)) {
          // An identical row changes nothing downstream (Flink skips it when state TTL is off, as here).
          if (this.updateBefore) this.out.add(prev, RowKind.UPDATE_BEFORE, this.rowNumber);
          this.out.add(row, RowKind.UPDATE_AFTER, this.rowNumber);
        }
      } else if (prev !== undefined) {
        // -U or -D: the key's row is gone (a -U may have no +U after it). The stored row has the full content,
        // which a retraction (e.g. a Kafka tombstone) may not.
        this.out.add(prev, RowKind.DELETE, this.rowNumber);
        this.rows.delete(k);
      }
    }
  }

  private onRowTime(batch: RecordBatch, keys: readonly Key[]): void {
    const times = timesOf(batch, this.timeCol);
    for (let r = 0; r < batch.length; r++) {
      this.checkInsertOnly(batch.kinds[r] as number);
      const k = keys[r] as Key;
      const t = times[r] as number;
      const prevTime = this.times.get(k);
      // Keep-last takes a row at the same time as the current one (the later arrival); keep-first does not.
      if (prevTime !== undefined && !(this.keepLast ? prevTime <= t : t < prevTime)) continue;
      const row = stateRowAt(batch, r);
      const prev = this.rows.get(k);
      if (prev === undefined) {
        this.out.add(row, RowKind.INSERT, this.rowNumber);
      } else {
        if (this.updateBefore) this.out.add(prev, RowKind.UPDATE_BEFORE, this.rowNumber);
        this.out.add(row, RowKind.UPDATE_AFTER, this.rowNumber);
      }
      this.rows.set(k, row);
      this.times.set(k, t);
    }
  }

  private checkInsertOnly(kind: number): void {
    if (kind !== RowKind.INSERT) {
      throw new Error(
        `${this.name}: this deduplication takes an insert-only input, got a ${['+I', '-U', '+U', '-D'][kind] ?? kind} row`,
      );
    }
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  snapshotState(): Uint8Array {
    // Key-grouped, so a restore at another parallelism can split it.
    return encodeKeyedMaps(this.maxParallelism, {
      firstSeen: [...this.firstSeen].map((k) => [k, 1] as const),
      rows: this.rows,
      times: this.times,
    });
  }

  restoreState(bytes: Uint8Array): void {
    const { maps } = decodeKeyedMaps(bytes);
    this.firstSeen = new Set((maps['firstSeen'] ?? []).map(([k]) => k));
    this.rows = new Map((maps['rows'] ?? []) as [Key, Value[]][]);
    this.times = new Map((maps['times'] ?? []) as [Key, number][]);
  }

  /** Key groups of the snapshot (the subtask's max parallelism). */
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  setup(ctx: OperatorContext): void {
    this.maxParallelism = ctx.maxParallelism;
  }

  finish(): void {}

  close(): void {
    this.firstSeen.clear();
    this.rows.clear();
    this.times.clear();
  }
}
