// The unbounded GROUP BY aggregate (Flink's GroupAggFunction): consumes a changelog (+I -U +U -D) hash-partitioned
// on the grouping key and emits the changelog of the aggregated table: +I for a key's first result, -U/+U when
// a result changes, -D when every row of the key has been retracted. Keyed state is one entry per key holding
// the key's values, its accumulators and the number of rows it aggregates (Flink's RecordCounter); rows are
// applied one at a time, so the output does not depend on how rows were cut into batches.
//
// The two-phase variant (table.optimizer.agg-phase-strategy TWO_PHASE) splits it: a LocalGroupAggregateOperator
// before the exchange folds each batch into one partial accumulator per key (MiniBatchLocalGroupAggFunction) and
// a GlobalGroupAggregateOperator after it merges the partials into the keyed state and emits the same changelog
// (MiniBatchGlobalGroupAggFunction), one change per partial.
import { deserialize, serialize } from 'node:v8';
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import {
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  groupByKeyGroup,
} from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { Types } from '../types/logical-type.js';
import { RowKind, rowKindShort } from '../types/row-kind.js';
import { Schema } from '../types/schema.js';
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
  /**
   * Whether the input can retract rows (default true). Flink's planner passes `needRetraction` from the input's
   * changelog mode: over an insert-only input MIN/MAX, FIRST_VALUE/LAST_VALUE and LISTAGG keep one value or
   * one string instead of every value, and a retraction then is an error.
   */
  readonly needRetraction?: boolean;
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

function keyValuesAt(batch: RecordBatch, cols: readonly number[], r: number): Value[] {
  const out = new Array<Value>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as number;
    out[i] = exactValue(getValue(batch.columns[c] as Column, batch.schema.field(c).type, r));
  }
  return out;
}

function checkOutput(name: string, output: Schema, keys: number, aggs: number): void {
  if (output.size !== keys + aggs) {
    throw new Error(
      `${name}: the output schema has ${output.size} fields, expected ${keys} keys + ${aggs} aggregates`,
    );
  }
}

/**
 * The keyed state and changelog of GroupAggFunction, shared by the one-phase and the global operator; they
 * differ in what one input row does to a key's entry (`startsGroup`, `apply`).
 */
abstract class KeyedAggregate implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  // Checkpointed state: insertion-ordered by last write, so that expired entries are always at the front.
  private state = new Map<Key, GroupEntry>();
  // Transient.
  protected readonly handle: AggsHandle;
  private readonly selector: KeySelector;
  private readonly keyCols: readonly number[];
  private readonly ttl: number;
  private readonly generateUpdateBefore: boolean;
  private readonly prev: Value[];
  private readonly cur: Value[];
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private builders: ResultBuilder[] = [];
  private kinds: number[] = [];

  protected constructor(
    name: string,
    outputSchema: Schema,
    handle: AggsHandle,
    keyCols: readonly number[],
    keySchema: Schema,
    generateUpdateBefore: boolean,
    ttl: number,
  ) {
    this.name = name;
    this.outputSchema = outputSchema;
    this.handle = handle;
    this.keyCols = keyCols;
    this.selector = columnsKeySelector(
      keyCols,
      keyCols.map((k) => keySchema.field(k).name),
    );
    this.generateUpdateBefore = generateUpdateBefore;
    this.ttl = ttl;
    this.prev = new Array<Value>(handle.calls.length);
    this.cur = new Array<Value>(handle.calls.length);
    this.resetBuilders();
  }

  /** Whether row `r` may create the state of a key that has none (a retraction may not). */
  protected abstract startsGroup(batch: RecordBatch, r: number): boolean;
  /** Applies row `r` to the key's entry: accumulators and record count. */
  protected abstract apply(e: GroupEntry, batch: RecordBatch, r: number): void;

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
    for (let r = 0; r < batch.length; r++) {
      const key = keys[r] as Key;
      let e = state.get(key);
      const first = e === undefined;
      if (e === undefined) {
        // A retraction for a key without state (its first message, or after the state expired) is ignored.
        if (!this.startsGroup(batch, r)) continue;
        e = { k: keyValuesAt(batch, this.keyCols, r), a: handle.createAccumulators(), n: 0, t: now };
        state.set(key, e);
      } else {
        handle.readValues(e.a, prev, 0);
      }
      this.apply(e, batch, r);
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
          if (this.generateUpdateBefore) this.emit(RowKind.UPDATE_BEFORE, e.k, prev);
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

  private emit(kind: number, key: readonly Value[], values: readonly Value[]): void {
    const b = this.builders;
    const nk = key.length;
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
    // One section per key group (the keys' entries), so a restore at another parallelism can split it.
    return encodeKeyGroupedSnapshot({
      maxParallelism: this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
      keyGroups: groupByKeyGroup(this.state, this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM),
      operatorState: {},
    });
  }

  restoreState(bytes: Uint8Array): void {
    const entries: [Key, GroupEntry][] = [];
    for (const section of decodeKeyGroupedSnapshot(bytes).keyGroups.values()) {
      for (const e of section as [Key, GroupEntry][]) entries.push(e);
    }
    // TTL expiry reads the map oldest write first: sections of several key groups (and old subtasks) interleave.
    if (this.ttl > 0) entries.sort((a, b) => a[1].t - b[1].t);
    this.state = new Map(entries);
  }

  /** Number of keys with state (tests, metrics). */
  get stateSize(): number {
    return this.state.size;
  }

  finish(): void {}

  close(): void {}
}

/** The one-phase group aggregate: every input row is accumulated (+I, +U) or retracted (-U, -D). */
export class GroupAggregateOperator extends KeyedAggregate {
  private readonly needRetraction: boolean;

  constructor(config: GroupAggregateConfig) {
    checkOutput(config.name, config.outputSchema, config.keys.length, config.aggs.length);
    const needRetraction = config.needRetraction ?? true;
    super(
      config.name,
      config.outputSchema,
      createAggsHandle(config.aggs, config.inputSchema, { retraction: needRetraction }),
      config.keys,
      config.inputSchema,
      config.generateUpdateBefore,
      config.stateTtlMs ?? 0,
    );
    this.needRetraction = needRetraction;
  }

  private noRetraction(kind: number): never {
    throw new Error(
      `${this.name}: got a ${rowKindShort(kind)} row, but the aggregate was planned for an insert-only input (needRetraction false)`,
    );
  }

  protected startsGroup(batch: RecordBatch, r: number): boolean {
    const k = batch.kinds[r] as number;
    if (k === RowKind.INSERT || k === RowKind.UPDATE_AFTER) return true;
    if (!this.needRetraction) this.noRetraction(k);
    return false;
  }

  protected apply(e: GroupEntry, batch: RecordBatch, r: number): void {
    const k = batch.kinds[r] as number;
    if (k === RowKind.INSERT || k === RowKind.UPDATE_AFTER) {
      this.handle.accumulate(e.a, batch, r);
      e.n++;
    } else {
      if (!this.needRetraction) this.noRetraction(k);
      this.handle.retract(e.a, batch, r);
      e.n--;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Two-phase aggregation.

/** The name of the partial-accumulator column of the local aggregate's output. */
export const PARTIAL_COLUMN = '$partial';

/**
 * The schema between the local and the global aggregate: the grouping columns, then one BYTES column holding
 * each key's partial accumulators (a node:v8 serialisation) and record count.
 */
export function partialAggregateSchema(inputSchema: Schema, keys: readonly number[]): Schema {
  return new Schema([
    ...keys.map((k) => inputSchema.field(k)),
    { name: PARTIAL_COLUMN, type: Types.BYTES(false) },
  ]);
}

/**
 * Whether the calls can be split into local and global phases. FIRST_VALUE, LAST_VALUE and LISTAGG cannot: a
 * partial result cannot carry the retraction of a value only the global state has seen (Flink's first/last
 * value functions have no merge either, so its planner keeps them one-phase).
 */
export function supportsTwoPhase(calls: readonly AggCall[]): boolean {
  return calls.every((c) => c.kind !== 'FIRST_VALUE' && c.kind !== 'LAST_VALUE' && c.kind !== 'LISTAGG');
}

function checkTwoPhase(name: string, calls: readonly AggCall[]): void {
  const bad = calls.find((c) => !supportsTwoPhase([c]));
  if (bad !== undefined)
    throw new Error(`${name}: ${bad.kind} (${bad.name}) cannot be split into local and global aggregation`);
}

/** What the local aggregate sends per key and batch. */
interface Partial {
  readonly a: AccState;
  /** Rows accumulated minus rows retracted in the batch; may be negative. */
  readonly n: number;
}

export interface LocalGroupAggregateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly keys: readonly number[];
  readonly aggs: readonly AggCall[];
  /** `partialAggregateSchema(inputSchema, keys)`. */
  readonly outputSchema: Schema;
}

/**
 * The local phase: stateless across batches. Each batch is folded into one partial accumulator per key, rows of
 * any kind (a retraction retracts from the partial, whose counts may go negative), and emitted as one +I row per
 * key at the end of the batch; the next exchange hash-partitions on the key columns.
 */
export class LocalGroupAggregateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly handle: AggsHandle;
  private readonly selector: KeySelector;
  private output: Output | null = null;

  constructor(private readonly config: LocalGroupAggregateConfig) {
    this.name = config.name;
    this.outputSchema = config.outputSchema;
    checkTwoPhase(config.name, config.aggs);
    checkOutput(config.name, config.outputSchema, config.keys.length, 1);
    this.handle = createAggsHandle(config.aggs, config.inputSchema);
    this.selector = columnsKeySelector(
      config.keys,
      config.keys.map((k) => config.inputSchema.field(k).name),
    );
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    if (batch.length === 0) return;
    const keys = this.selector.keysOf(batch);
    const handle = this.handle;
    const groups = new Map<Key, { k: Value[]; a: AccState; n: number }>();
    for (let r = 0; r < batch.length; r++) {
      const key = keys[r] as Key;
      let g = groups.get(key);
      if (g === undefined)
        groups.set(
          key,
          (g = { k: keyValuesAt(batch, this.config.keys, r), a: handle.createAccumulators(), n: 0 }),
        );
      const kind = batch.kinds[r];
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        handle.accumulate(g.a, batch, r);
        g.n++;
      } else {
        handle.retract(g.a, batch, r);
        g.n--;
      }
    }
    const builders = this.outputSchema.fields.map((f) => new ResultBuilder(f.type, groups.size));
    const nk = this.config.keys.length;
    for (const g of groups.values()) {
      for (let i = 0; i < nk; i++) (builders[i] as ResultBuilder).append(g.k[i] as Value);
      const p: Partial = { a: g.a, n: g.n };
      (builders[nk] as ResultBuilder).append(serialize(p));
    }
    (this.output as Output).emitBatch(
      makeBatch(
        this.outputSchema,
        builders.map((b) => b.finish()),
        groups.size,
      ),
    );
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}

  close(): void {}
}

export interface GlobalGroupAggregateConfig {
  readonly name: string;
  /** The input of the LOCAL aggregate: the calls' argument columns refer to it. */
  readonly inputSchema: Schema;
  /** The grouping columns in the local aggregate's input (the partial rows carry them first, in this order). */
  readonly keys: readonly number[];
  readonly aggs: readonly AggCall[];
  /** The grouping columns followed by one column per aggregate call, as for GroupAggregateOperator. */
  readonly outputSchema: Schema;
  readonly generateUpdateBefore: boolean;
  readonly stateTtlMs?: number;
}

/**
 * The global phase: merges each partial into the key's state and emits the changelog of GroupAggFunction for
 * the change (MiniBatchGlobalGroupAggFunction): a partial whose record count leaves the key at zero deletes it.
 */
export class GlobalGroupAggregateOperator extends KeyedAggregate {
  private readonly partialCol: number;
  private partial: Partial | null = null;

  constructor(config: GlobalGroupAggregateConfig) {
    checkTwoPhase(config.name, config.aggs);
    checkOutput(config.name, config.outputSchema, config.keys.length, config.aggs.length);
    const partialSchema = partialAggregateSchema(config.inputSchema, config.keys);
    super(
      config.name,
      config.outputSchema,
      createAggsHandle(config.aggs, config.inputSchema),
      config.keys.map((_, i) => i),
      partialSchema,
      config.generateUpdateBefore,
      config.stateTtlMs ?? 0,
    );
    this.partialCol = config.keys.length;
  }

  private decode(batch: RecordBatch, r: number): Partial {
    const c = batch.columns[this.partialCol] as Column;
    if (c.kind !== 'bin' || !isValid(c.validity, r))
      throw new Error(`${this.name}: row ${r} has no partial accumulators`);
    return deserialize(c.values[r] as Uint8Array) as Partial;
  }

  protected startsGroup(batch: RecordBatch, r: number): boolean {
    // A partial that would leave a new key at zero rows creates no state and emits nothing. It is decoded
    // here once and kept for `apply` of the same row.
    const p = this.decode(batch, r);
    if (p.n <= 0) return false;
    this.partial = p;
    return true;
  }

  protected apply(e: GroupEntry, batch: RecordBatch, r: number): void {
    const p = this.partial ?? this.decode(batch, r);
    this.partial = null;
    this.handle.merge(e.a, p.a);
    e.n += p.n;
  }
}
