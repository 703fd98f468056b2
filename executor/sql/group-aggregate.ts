// The unbounded GROUP BY aggregate (Flink's GroupAggFunction): consumes a changelog (+I -U +U -D) hash-partitioned
// on the grouping key and emits the changelog of the aggregated table: +I for a key's first result, -U/+U when
// a result changes, -D when every row of the key has been retracted. Keyed state is one entry per key holding
// the key's values, its accumulators and the number of rows it aggregates (Flink's RecordCounter); rows are
// applied one at a time, so the output does not depend on how rows were cut into batches.
import { deserialize, serialize } from 'node:v8';
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { getValue, type Value } from '../batch/column.js';
import type { Key, KeySelector } from '../runtime/key.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import {
  createAggsHandle,
  exactValue,
  ResultBuilder,
  valuesEqual,
  type AccState,
  type AggCall,
  type AggsHandle,
} from './aggregates.js';
import { columnsKeySelector } from './keys.js';

export interface GroupAggregateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** Grouping columns of the input; [] is a global aggregate (one group). */
  readonly keys: readonly number[];
  readonly aggs: readonly AggCall[];
  /** The grouping columns followed by one column per aggregate call. */
  readonly outputSchema: Schema;
  /** Emit -U before +U (false when the sink is an upsert sink keyed on the grouping key). */
  readonly generateUpdateBefore: boolean;
  /** table.exec.state.ttl: a key's state expires this long (processing time) after its last write; 0 = never. */
  readonly stateTtlMs?: number;
}

/** The state of one key. Plain data: it is the snapshot. */
interface GroupEntry {
  /** The key's column values, written in front of every result row. */
  readonly k: Value[];
  readonly a: AccState;
  /** Rows accumulated minus rows retracted (Flink's count1 record counter). */
  n: number;
  /** Processing time of the last write, for the state TTL. */
  t: number;
}

interface Snapshot {
  readonly state: Map<Key, GroupEntry>;
}

export class GroupAggregateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: insertion-ordered by last write, so that expired entries are always at the front.
  private state = new Map<Key, GroupEntry>();
  // Transient.
  private readonly handle: AggsHandle;
  private readonly selector: KeySelector;
  private readonly nKeys: number;
  private readonly ttl: number;
  private readonly prev: Value[];
  private readonly cur: Value[];
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private builders: ResultBuilder[] = [];
  private kinds: number[] = [];

  constructor(private readonly config: GroupAggregateConfig) {
    this.name = config.name;
    this.outputSchema = config.outputSchema;
    if (config.outputSchema.size !== config.keys.length + config.aggs.length) {
      throw new Error(
        `${config.name}: the output schema has ${config.outputSchema.size} fields, expected ${config.keys.length} keys + ${config.aggs.length} aggregates`,
      );
    }
    this.handle = createAggsHandle(config.aggs, config.inputSchema);
    this.selector = columnsKeySelector(
      config.keys,
      config.keys.map((k) => config.inputSchema.field(k).name),
    );
    this.nKeys = config.keys.length;
    this.ttl = config.stateTtlMs ?? 0;
    this.prev = new Array<Value>(config.aggs.length);
    this.cur = new Array<Value>(config.aggs.length);
    this.resetBuilders();
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  private resetBuilders(): void {
    this.builders = this.outputSchema.fields.map((f) => new ResultBuilder(f.type, 64));
    this.kinds = [];
  }

  private now(): number {
    if (this.ctx === null)
      throw new Error(`${this.name}: a state TTL needs the operator context (setup) for processing time`);
    return this.ctx.processingTime.now();
  }

  /** Drops keys not written for `ttl` ms (Flink's StateTtlConfig: OnCreateAndWrite, NeverReturnExpired). */
  private expire(now: number): void {
    for (const [k, e] of this.state) {
      if (e.t + this.ttl > now) break;
      this.state.delete(k);
    }
  }

  processBatch(batch: RecordBatch): void {
    const ttl = this.ttl;
    const now = ttl > 0 ? this.now() : 0;
    if (ttl > 0) this.expire(now);
    const keys = this.selector.keysOf(batch);
    const handle = this.handle;
    const state = this.state;
    const prev = this.prev;
    const cur = this.cur;
    const kinds = batch.kinds;
    for (let r = 0; r < batch.length; r++) {
      const kind = kinds[r] as number;
      const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
      const key = keys[r] as Key;
      let e = state.get(key);
      const first = e === undefined;
      if (e === undefined) {
        // A retraction for a key without state (its first message, or after the state expired) is ignored.
        if (!accumulate) continue;
        e = { k: this.keyValues(batch, r), a: handle.createAccumulators(), n: 0, t: now };
        state.set(key, e);
      } else {
        handle.readValues(e.a, prev, 0);
      }
      if (accumulate) {
        handle.accumulate(e.a, batch, r);
        e.n++;
      } else {
        handle.retract(e.a, batch, r);
        e.n--;
      }
      if (e.n > 0) {
        if (ttl > 0) {
          // Every write refreshes the TTL; moving the entry to the end keeps the map ordered by last write.
          e.t = now;
          state.delete(key);
          state.set(key, e);
        }
        handle.readValues(e.a, cur, 0);
        if (first) {
          this.emit(RowKind.INSERT, e.k, cur);
        } else if (ttl <= 0 && valuesEqual(prev, cur)) {
          // An unchanged result is not emitted, unless state TTL is on: then downstream operators must see the
          // key refreshed so that their own state does not expire before ours (GroupAggFunction).
          continue;
        } else {
          if (this.config.generateUpdateBefore) this.emit(RowKind.UPDATE_BEFORE, e.k, prev);
          this.emit(RowKind.UPDATE_AFTER, e.k, cur);
        }
      } else {
        // The last row of the key was retracted: delete its result and its state.
        if (!first) this.emit(RowKind.DELETE, e.k, prev);
        state.delete(key);
      }
    }
    this.flush();
  }

  private keyValues(batch: RecordBatch, r: number): Value[] {
    const cols = this.config.keys;
    const out = new Array<Value>(cols.length);
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as number;
      out[i] = exactValue(getValue(batch.columns[c]!, batch.schema.field(c).type, r));
    }
    return out;
  }

  private emit(kind: number, key: readonly Value[], values: readonly Value[]): void {
    const b = this.builders;
    const nk = this.nKeys;
    for (let i = 0; i < nk; i++) (b[i] as ResultBuilder).append(key[i] as Value);
    for (let i = 0; i < values.length; i++) (b[nk + i] as ResultBuilder).append(values[i] as Value);
    this.kinds.push(kind);
  }

  private flush(): void {
    const n = this.kinds.length;
    if (n === 0) return;
    const batch = makeBatch(
      this.outputSchema,
      this.builders.map((b) => b.finish()),
      n,
      Uint8Array.from(this.kinds),
    );
    this.resetBuilders();
    (this.output as Output).emitBatch(batch);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  snapshotState(): Uint8Array {
    if (this.ttl > 0 && this.ctx !== null) this.expire(this.now());
    const s: Snapshot = { state: this.state };
    return serialize(s);
  }

  restoreState(bytes: Uint8Array): void {
    const s = deserialize(bytes) as Snapshot;
    this.state = s.state;
  }

  /** Number of keys with state (tests, metrics). */
  get stateSize(): number {
    return this.state.size;
  }

  finish(): void {}

  close(): void {}
}
