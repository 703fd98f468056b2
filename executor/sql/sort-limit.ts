// Streaming LIMIT/OFFSET without ORDER BY and ORDER BY a rowtime attribute. LIMIT passes the rows numbered
// offset+1..offset+fetch of an insert-only input and nothing after (Flink plans it as a Top-N on a constant key,
// whose insert-only output this is: AppendOnlyFirstNFunction). The temporal sort buffers rows per event time and
// emits a time's rows, ordered by the secondary keys, once the watermark passes it (Flink's RowTimeSortOperator).
import { deserialize, serialize } from 'node:v8';
import { takeRows, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind, rowKindShort } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { ChangelogBuilder, compareOn, timesOf, type SortKey, stateRowAt } from './rank.js';

export interface LimitConfig {
  readonly name: string;
  readonly outputSchema: Schema;
  /** Rows to skip first (OFFSET). */
  readonly offset: number;
  /** Rows to pass after the offset (FETCH/LIMIT); Infinity for none. */
  readonly fetch: number;
}

export interface TemporalSortConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** The rowtime attribute, sorted ascending. */
  readonly timeCol: number;
  /** The ORDER BY items after the time attribute, ordering the rows of one timestamp. */
  readonly secondary: readonly SortKey[];
  /** The input's schema. */
  readonly outputSchema: Schema;
}

function checkInsertOnly(name: string, batch: RecordBatch): void {
  const kinds = batch.kinds;
  for (let r = 0; r < batch.length; r++) {
    if (kinds[r] !== RowKind.INSERT) {
      throw new Error(`${name} takes an insert-only input, got a ${rowKindShort(kinds[r] as number)} row`);
    }
  }
}

export class LimitOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: how many rows have arrived (the planner runs a limit with parallelism 1).
  private seen = 0;
  // Transient.
  private output: Output | null = null;
  private readonly end: number;

  constructor(private readonly cfg: LimitConfig) {
    if (!(cfg.offset >= 0) || !(cfg.fetch >= 0))
      throw new Error(`${cfg.name}: invalid OFFSET ${cfg.offset} / FETCH ${cfg.fetch}`);
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.end = cfg.offset + cfg.fetch;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    checkInsertOnly(this.name, batch);
    const first = this.seen;
    this.seen += batch.length;
    // Rows first..seen-1 arrived in this batch; pass those whose number falls in [offset, end).
    const from = Math.max(this.cfg.offset, first) - first;
    const to = Math.min(this.end, this.seen) - first;
    if (to <= from) return;
    if (from === 0 && to === batch.length) {
      (this.output as Output).emitBatch(batch);
      return;
    }
    const rows = new Int32Array(to - from);
    for (let i = 0; i < rows.length; i++) rows[i] = from + i;
    (this.output as Output).emitBatch(takeRows(batch, rows, rows.length));
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  snapshotState(): Uint8Array {
    return serialize(this.seen);
  }

  restoreState(bytes: Uint8Array): void {
    this.seen = deserialize(bytes) as number;
  }

  finish(): void {}
  close(): void {}
}

interface SortSnapshot {
  readonly times: number[];
  readonly rows: Map<number, Value[][]>;
  readonly lastFired: number | null;
}

export class TemporalSortOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: the buffered event times (ascending) and their rows in arrival order, and the last time
  // emitted (a row at or before it is late).
  private times: number[] = [];
  private rows = new Map<number, Value[][]>();
  private lastFired: number | null = null;
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  private readonly out: ChangelogBuilder;

  constructor(private readonly cfg: TemporalSortConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.out = new ChangelogBuilder(cfg.outputSchema, cfg.inputSchema.size);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    checkInsertOnly(this.name, batch);
    const times = timesOf(batch, this.cfg.timeCol);
    let late = 0;
    for (let r = 0; r < batch.length; r++) {
      const t = times[r] as number;
      // As RowTimeSortOperator: late means at or before the last emitted time, not behind the watermark; a row
      // behind the watermark but after the last emitted time still comes out, on the next watermark.
      if (this.lastFired !== null && t <= this.lastFired) {
        late++;
        continue;
      }
      const list = this.rows.get(t);
      if (list !== undefined) {
        list.push(stateRowAt(batch, r));
        continue;
      }
      this.rows.set(t, [stateRowAt(batch, r)]);
      this.insertTime(t);
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
  }

  /** Keeps `times` sorted; new times usually go at the end, so this is a short scan. */
  private insertTime(t: number): void {
    const ts = this.times;
    let i = ts.length;
    while (i > 0 && (ts[i - 1] as number) > t) i--;
    ts.splice(i, 0, t);
  }

  processWatermark(timestamp: number): void {
    const ts = this.times;
    let n = 0;
    while (n < ts.length && (ts[n] as number) <= timestamp) {
      const t = ts[n] as number;
      const list = this.rows.get(t) as Value[][];
      // Array.prototype.sort is stable: rows of equal secondary keys keep their arrival order.
      if (this.cfg.secondary.length > 0) list.sort((a, b) => compareOn(this.cfg.secondary, a, b, false));
      for (const row of list) this.out.add(row, RowKind.INSERT);
      this.rows.delete(t);
      this.lastFired = t;
      n++;
    }
    if (n > 0) {
      ts.splice(0, n);
      this.out.flush(this.output as Output);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  snapshotState(): Uint8Array {
    const s: SortSnapshot = { times: this.times, rows: this.rows, lastFired: this.lastFired };
    return serialize(s);
  }

  restoreState(bytes: Uint8Array): void {
    const s = deserialize(bytes) as SortSnapshot;
    this.times = s.times;
    this.rows = s.rows;
    this.lastFired = s.lastFired;
  }

  finish(): void {}

  close(): void {
    this.rows.clear();
    this.times = [];
  }
}
