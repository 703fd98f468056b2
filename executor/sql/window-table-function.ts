// The window TVFs without aggregation: every input row comes out once per window it belongs to, with
// window_start, window_end and window_time (= window_end - 1) appended. TUMBLE, HOP and CUMULATE are aligned
// and stateless (Flink's AlignedWindowTableFunctionOperator): a row is emitted at once, late or not, in the order
// Flink's window assigners list its windows; a NULL rowtime row is dropped. SESSION needs the whole session
// before it knows the window (UnalignedWindowTableFunctionOperator): rows are buffered per partition key until
// the watermark passes the session's end - 1, then emitted in arrival order; rows of a session that has already
// fired are late, dropped and counted. Over a PROCTIME attribute rows take the processing time they arrive at.
import { deserialize } from 'node:v8';
import { makeBatch, rowAt, type RecordBatch } from '../batch/batch.js';
import { takeColumn, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import { RowBatchBuilder } from '../datastream/rows.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import {
  KeyedSections,
  keyedMapsOrLegacy,
  restoreWatermarkAndCounter,
  watermarkAndCounter,
} from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { formatType } from '../types/logical-type.js';
import { RowKind, rowKindShort } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { columnsKeySelector } from './keys.js';
import {
  assignWindows,
  checkWindow,
  heapPeek,
  heapPop,
  heapPush,
  maxWindowsPerRow,
  newEndHeap,
  firstOverlap,
  overlapEnd,
  ProcessingTimeTrigger,
  type EndHeap,
  type WindowSpec,
} from './slices.js';

export interface WindowTableFunctionConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly window: WindowSpec;
  /** The time attribute column the windows are over (TIMESTAMP(3) / TIMESTAMP_LTZ(3), epoch ms; rowtime or proctime). */
  readonly timeCol: number;
  /** input ++ window_start, window_end (TIMESTAMP(3)), window_time (the time attribute's type). */
  readonly outputSchema: Schema;
  /** SESSION only: the `PARTITION BY` columns sessions are kept per; [] or absent = one global session stream. */
  readonly partitionKeys?: readonly number[];
}

/** A buffered session of one partition key (SESSION). */
interface BufferedSession {
  start: number;
  end: number;
  rows: Value[][];
}

interface Snapshot {
  readonly watermark: number;
  readonly sessions: Map<Key, BufferedSession[]>;
  readonly ends: EndHeap;
}

export class WindowTableFunctionOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state (SESSION only; the aligned windows are stateless).
  private watermark = -Infinity;
  private sessions = new Map<Key, BufferedSession[]>();
  private ends: EndHeap = newEndHeap();
  /** Arrival counter of buffered rows (Flink's order counter), kept as each buffered row's last value. */
  private seq = 0;
  // Transient.
  private readonly perRow: number;
  private readonly starts: Float64Array;
  private readonly windowEnds: Float64Array;
  private readonly selector: KeySelector;
  /** Windows over a PROCTIME attribute: assigned by arrival time; SESSIONs fire on processing time. */
  private readonly proctime: boolean;
  private readonly trigger = new ProcessingTimeTrigger((now) => {
    this.fireSessions(now);
    this.requestTimer();
  });
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;

  constructor(private readonly config: WindowTableFunctionConfig) {
    this.name = config.name;
    this.outputSchema = config.outputSchema;
    checkWindow(config.window, config.name);
    if (config.outputSchema.size !== config.inputSchema.size + 3) {
      throw new Error(
        `${config.name}: the output schema has ${config.outputSchema.size} fields, expected the ${config.inputSchema.size} input fields + window_start, window_end, window_time`,
      );
    }
    const tt = config.inputSchema.field(config.timeCol).type;
    if (tt.kind !== 'TIMESTAMP' && tt.kind !== 'TIMESTAMP_LTZ') {
      throw new TypeError(
        `${config.name}: the window time column must be a TIMESTAMP or TIMESTAMP_LTZ, not ${formatType(tt)}`,
      );
    }
    this.proctime = tt.timeAttribute === 'proctime';
    this.perRow = maxWindowsPerRow(config.window);
    this.starts = new Float64Array(this.perRow);
    this.windowEnds = new Float64Array(this.perRow);
    const keys = config.partitionKeys ?? [];
    if (keys.length > 0 && config.window.kind !== 'SESSION') {
      throw new Error(`${config.name}: PARTITION BY is only for SESSION windows, not ${config.window.kind}`);
    }
    this.selector = columnsKeySelector(
      keys,
      keys.map((k) => config.inputSchema.field(k).name),
    );
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
    if (this.proctime) this.requestTimer();
  }

  processBatch(batch: RecordBatch): void {
    const n = batch.length;
    if (n === 0) return;
    for (let r = 0; r < n; r++) {
      if (batch.kinds[r] !== RowKind.INSERT) {
        throw new Error(
          `${this.name}: a window table function takes an insert-only input, but got a ${rowKindShort(batch.kinds[r] as number)} row`,
        );
      }
    }
    let times: Float64Array;
    let validity: Uint8Array | null = null;
    if (this.proctime) {
      // Over a PROCTIME attribute Flink assigns windows by the processing time a row arrives at.
      times = new Float64Array(n).fill(this.processingTime());
    } else {
      const col = batch.columns[this.config.timeCol] as Column;
      if (col.kind !== 'f64' && col.kind !== 'ts')
        throw new TypeError(`${this.name}: the time column has layout ${col.kind}, not epoch ms`);
      times = col.values;
      validity = col.validity;
    }
    if (this.config.window.kind === 'SESSION') {
      this.bufferSessions(
        batch,
        times,
        validity,
        this.config.window.gap,
        this.proctime ? -Infinity : this.watermark,
      );
      if (this.proctime) this.requestTimer();
    } else {
      this.emitAligned(batch, times, validity);
    }
  }

  private processingTime(): number {
    if (this.ctx === null)
      throw new Error(`${this.name}: processing-time windows need the operator context (setup)`);
    return this.ctx.processingTime.now();
  }

  /** Processing-time SESSION: schedules the callback for the earliest buffered session's end - 1. */
  private requestTimer(): void {
    const next = heapPeek(this.ends);
    if (this.ctx !== null && next !== Infinity) this.trigger.request(this.ctx.processingTime, next - 1);
  }

  /** TUMBLE/HOP/CUMULATE: gathers each row once per window; the input columns are taken by index, not copied per row. */
  private emitAligned(batch: RecordBatch, times: Float64Array, validity: Uint8Array | null): void {
    const n = batch.length;
    const cap = n * this.perRow;
    const rows = new Int32Array(cap);
    const starts = new Float64Array(cap);
    const ends = new Float64Array(cap);
    const ws = this.starts;
    const we = this.windowEnds;
    let m = 0;
    let nulls = 0;
    for (let r = 0; r < n; r++) {
      if (validity !== null && !isValid(validity, r)) {
        nulls++;
        continue;
      }
      const k = assignWindows(this.config.window, times[r] as number, ws, we);
      for (let j = 0; j < k; j++) {
        rows[m] = r;
        starts[m] = ws[j] as number;
        ends[m] = we[j] as number;
        m++;
      }
    }
    if (nulls > 0) this.ctx?.metrics.inc('numNullRowTimeRecordsDropped', nulls);
    if (m === 0) return;
    const times2 = new Float64Array(m);
    for (let i = 0; i < m; i++) times2[i] = (ends[i] as number) - 1;
    const columns: Column[] = batch.columns.map((c, i) => takeColumn(c, batch.schema.field(i).type, rows, m));
    columns.push(
      { kind: 'f64', values: starts.slice(0, m), validity: null },
      { kind: 'f64', values: ends.slice(0, m), validity: null },
      { kind: 'f64', values: times2, validity: null },
    );
    (this.output as Output).emitBatch(makeBatch(this.outputSchema, columns, m));
  }

  /** SESSION: each row's [t, t + gap) merges with the key's buffered sessions it intersects (touching counts). */
  private bufferSessions(
    batch: RecordBatch,
    times: Float64Array,
    validity: Uint8Array | null,
    gap: number,
    wm: number,
  ): void {
    const keys = this.selector.keysOf(batch);
    let late = 0;
    let nulls = 0;
    for (let r = 0; r < batch.length; r++) {
      if (validity !== null && !isValid(validity, r)) {
        nulls++;
        continue;
      }
      const key = keys[r] as Key;
      const ts = times[r] as number;
      let list = this.sessions.get(key);
      const lo = firstOverlap(list, ts);
      const hi = overlapEnd(list, lo, ts + gap);
      let start = ts;
      let end = ts + gap;
      for (let i = lo; i < hi; i++) {
        const s = (list as BufferedSession[])[i] as BufferedSession;
        if (s.start < start) start = s.start;
        if (s.end > end) end = s.end;
      }
      if (end - 1 <= wm) {
        late++;
        continue;
      }
      let session: BufferedSession;
      if (lo === hi) {
        session = { start, end, rows: [] };
        if (list === undefined) this.sessions.set(key, (list = []));
        list.splice(lo, 0, session);
      } else {
        // The merged session's rows interleave by arrival, as Flink emits a window's rows by their order counter.
        const l = list as BufferedSession[];
        session = l[lo] as BufferedSession;
        for (let i = lo + 1; i < hi; i++)
          session.rows = mergeByArrival(session.rows, (l[i] as BufferedSession).rows);
        l.splice(lo + 1, hi - lo - 1);
      }
      const grew = session.end !== end;
      session.start = start;
      session.end = end;
      if (lo === hi || grew) heapPush(this.ends, end, key);
      const row = rowAt(batch, r);
      row.push(this.seq++);
      session.rows.push(row);
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
    if (nulls > 0) this.ctx?.metrics.inc('numNullRowTimeRecordsDropped', nulls);
  }

  processWatermark(timestamp: number): void {
    if (timestamp > this.watermark && !this.proctime) {
      this.watermark = timestamp;
      if (this.config.window.kind === 'SESSION') this.fireSessions(timestamp);
    }
    (this.output as Output).emitWatermark(timestamp);
  }

  private fireSessions(wm: number): void {
    const heap = this.ends;
    const out = new RowBatchBuilder(this.outputSchema);
    const width = this.config.inputSchema.size;
    while (heapPeek(heap) - 1 <= wm) {
      const end = heapPeek(heap);
      const key = heapPop(heap);
      const list = this.sessions.get(key);
      if (list === undefined) continue;
      let i = 0;
      while (i < list.length && (list[i] as BufferedSession).end !== end) i++;
      if (i === list.length) continue;
      const s = list[i] as BufferedSession;
      list.splice(i, 1);
      if (list.length === 0) this.sessions.delete(key);
      for (const row of s.rows) {
        row.length = width;
        row.push(s.start, s.end, s.end - 1);
        out.append(row);
      }
    }
    const b = out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
  }

  /**
   * Key-grouped by partition key (SESSION routes rows by it; the aligned windows keep no keyed state), so a
   * restore at another parallelism can split it. The watermark and the arrival counter are union state: a
   * rescaled subtask takes the smallest watermark and the largest counter. The heap of session ends is derived.
   */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const [k, list] of this.sessions) sections.add('s', k, list);
    return sections.encode(watermarkAndCounter(this.watermark, this.seq));
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    if (grouped === null) {
      const s = deserialize(bytes) as Snapshot & { seq: number }; // before key groups (same parallelism only)
      this.watermark = s.watermark;
      this.sessions = s.sessions;
      this.ends = s.ends;
      this.seq = s.seq;
      return;
    }
    ({ watermark: this.watermark, counter: this.seq } = restoreWatermarkAndCounter(grouped.operatorState));
    this.sessions = new Map((grouped.maps['s'] ?? []) as [Key, BufferedSession[]][]);
    this.ends = newEndHeap();
    for (const [k, list] of this.sessions) for (const session of list) heapPush(this.ends, session.end, k);
  }

  finish(): void {}

  close(): void {
    this.trigger.cancel();
  }
}

/** Two lists of buffered rows, each in arrival order (their last value is the arrival counter), merged. */
function mergeByArrival(a: Value[][], b: Value[][]): Value[][] {
  const out: Value[][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Value[];
    const y = b[j] as Value[];
    if ((x[x.length - 1] as number) <= (y[y.length - 1] as number)) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as Value[]);
  while (j < b.length) out.push(b[j++] as Value[]);
  return out;
}
