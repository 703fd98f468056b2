// The regular (unbounded) streaming join of two changelogs, Flink's StreamingJoinOperator (INNER/LEFT/RIGHT/
// FULL) and StreamingSemiAntiJoinOperator (SEMI/ANTI, the plans of IN/EXISTS and NOT IN/NOT EXISTS). Each side
// keeps, per join key, a multiset of its rows (row -> count); an outer side (and the left side of SEMI/ANTI)
// also keeps per row how many rows of the other side it matches, which decides when its NULL-padded row is
// retracted (first match arrives) or re-emitted (last match leaves). Row kinds follow Flink exactly, see
// `processJoin`. Input 0 is the left side, input 1 the right.
import { deserialize } from 'node:v8';
import { takeRows, type RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { KeyedSections, keyedMapsOrLegacy } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import {
  checkJoinConfig,
  isLeftOuter,
  isRightOuter,
  JoinRowsBuilder,
  nullKeyMask,
  PairBatch,
  pairSchema,
  rowIdentity,
  type JoinCondition,
  type JoinType,
} from './join-common.js';
import { JoinSideState, NONE, type StoredRow } from './join-state.js';
import { columnsKeySelector } from './keys.js';

export interface StreamingJoinConfig {
  readonly name: string;
  readonly type: JoinType;
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  /** Equi-join key columns of each input, pairwise compared with SQL `=` (a NULL never matches). */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** The rest of the ON condition over left ++ right fields, or null when the ON clause is only the equi-keys. */
  readonly condition: JoinCondition | null;
  /** left ++ right fields (nullable on the padded side of outer joins); the left fields for SEMI/ANTI. */
  readonly outputSchema: Schema;
  /** table.exec.state.ttl in ms: a stored row not written for this long is forgotten (0 or absent: never). */
  readonly stateTtlMs?: number;
}

/** Row identity -> row index in a counted side's state (Flink's add() of an equal row bumps that row). */
type Identities = Map<Key, number>;

/** Map names of the two sides in a key-grouped snapshot. */
const SIDE_NAMES = ['l', 'r'] as const;

/** The opaque snapshot before key groups: every stored row of each side, with its count, matches, last write. */
interface Snapshot {
  readonly version: 2;
  readonly left: StoredRow[];
  readonly right: StoredRow[];
}

/** The format before the columnar state: per key a Map of identity -> record, or a list of records. */
interface LegacyRecord {
  readonly row: Value[];
  readonly count: number;
  readonly assoc: number;
  readonly time: number;
}
type LegacySide = Map<Key, Map<Key, LegacyRecord> | LegacyRecord[]>;

export class StreamingJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly type: JoinType;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private readonly semiAnti: boolean;
  private readonly schemas: readonly [Schema, Schema];
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly condition: JoinCondition | null;
  private readonly ttl: number;
  /**
   * Per side: whether rows are counted (a multiplicity, a match count and a write time per distinct row, found
   * by identity). Outer sides count matches; under a TTL an expired equal row is replaced in place, as Flink's
   * state does. Otherwise a side keeps every row as it came (Flink's InputSideHasNoUniqueKey holds the same
   * multiset), so storing a row builds no identity text of all its values (a third of q7's time once).
   */
  private readonly counted: readonly [boolean, boolean];
  // Checkpointed state.
  private state: [JoinSideState, JoinSideState];
  /** Derived from `state` on restore: identity -> row of each counted side. */
  private ids: [Identities | null, Identities | null];
  // Transient.
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private nextSweep = 0;
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;
  /** The current batch's rows as values, made when a row is joined, emitted or identified. */
  private batch: RecordBatch | null = null;
  private batchRows: (Value[] | undefined)[] = [];
  /** The other side's rows as values, made once per batch for the rows it joins. */
  private readonly storedRows = new Map<number, Value[]>();

  constructor(config: StreamingJoinConfig) {
    const { name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema } = config;
    checkJoinConfig(name, type, leftSchema, rightSchema, leftKeys, rightKeys, outputSchema);
    this.name = name;
    this.outputSchema = outputSchema;
    this.type = type;
    this.semiAnti = type === 'SEMI' || type === 'ANTI';
    // SEMI/ANTI count matches on the left like an outer side does (Flink uses the outer state view there).
    this.leftOuter = isLeftOuter(type) || this.semiAnti;
    this.rightOuter = isRightOuter(type);
    this.schemas = [leftSchema, rightSchema];
    this.keyCols = [leftKeys, rightKeys];
    this.keySelectors = [
      columnsKeySelector(
        leftKeys,
        leftKeys.map((k) => leftSchema.field(k).name),
      ),
      columnsKeySelector(
        rightKeys,
        rightKeys.map((k) => rightSchema.field(k).name),
      ),
    ];
    this.condition = config.condition;
    this.ttl = config.stateTtlMs !== undefined && config.stateTtlMs > 0 ? config.stateTtlMs : 0;
    this.counted = [this.leftOuter || this.ttl > 0, this.rightOuter || this.ttl > 0];
    this.state = this.emptyState();
    this.ids = [this.counted[0] ? new Map() : null, this.counted[1] ? new Map() : null];
    this.pairs = new PairBatch(pairSchema(leftSchema, rightSchema), leftSchema.size);
    this.out = new JoinRowsBuilder(outputSchema, this.semiAnti ? outputSchema.size : leftSchema.size);
  }

  private emptyState(): [JoinSideState, JoinSideState] {
    return [
      new JoinSideState(this.schemas[0], this.counted[0]),
      new JoinSideState(this.schemas[1], this.counted[1]),
    ];
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch, input = 0): void {
    if (batch.length === 0) return;
    const now = this.now();
    if (this.ttl > 0 && now >= this.nextSweep) {
      this.sweep(now);
      this.nextSweep = now + this.ttl;
    }
    const side = input === 0 ? 0 : 1;
    this.batch = batch;
    this.batchRows = new Array<Value[] | undefined>(batch.length);
    if (this.ttl === 0 && hasRetraction(batch)) {
      batch = this.fold(batch);
      this.batch = batch;
    }
    if (batch.length === 0) {
      this.batch = null;
      this.batchRows = [];
      return;
    }
    try {
      if (!this.semiAnti) this.processJoin(batch, side, now);
      else if (side === 0) this.processSemiAntiLeft(batch, now);
      else this.processSemiAntiRight(batch, now);
    } finally {
      this.batch = null;
      this.batchRows = [];
      this.storedRows.clear();
    }
    const b = this.out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
  }

  /**
   * Folds a batch as Flink's mini-batch join folds its bundle (FLIP-415, InputSideHasNoUniqueKeyBundle): a
   * retraction (-U/-D) of a row that an earlier accumulation (+I/+U) of the same batch added cancels that
   * accumulation, and neither is joined. What the join's output table holds after the batch is the same; the
   * steps in between, which each touched every matching row of the other side, are not emitted. This is what
   * makes an uncorrelated scalar subquery (a LEFT JOIN on TRUE to a one-row aggregate that changes with every
   * input row: -U old, +U new, -U new, +U newer, ...) linear: each batch of the aggregate becomes one change,
   * instead of one change per input row, each re-joining every row of the outer side. Without a state TTL only:
   * an expired row would make the retraction a no-op, and folding would then change the result.
   */
  private fold(batch: RecordBatch): RecordBatch {
    const n = batch.length;
    const pending = new Map<Key, number[]>();
    let dropped: Uint8Array | null = null;
    let kept = n;
    for (let r = 0; r < n; r++) {
      const kind = batch.kinds[r] as number;
      const id = rowIdentity(this.inRow(r));
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        const stack = pending.get(id);
        if (stack === undefined) pending.set(id, [r]);
        else stack.push(r);
        continue;
      }
      const stack = pending.get(id);
      if (stack === undefined || stack.length === 0) continue;
      const acc = stack.pop() as number;
      dropped ??= new Uint8Array(n);
      dropped[acc] = 1;
      dropped[r] = 1;
      kept -= 2;
    }
    if (dropped === null) return batch;
    const rows = new Int32Array(kept);
    const values: (Value[] | undefined)[] = new Array<Value[] | undefined>(kept);
    for (let r = 0, j = 0; r < n; r++) {
      if (dropped[r] === 1) continue;
      values[j] = this.batchRows[r];
      rows[j++] = r;
    }
    this.batchRows = values;
    return takeRows(batch, rows, kept);
  }

  /** Row `r` of the current batch as values (made once). */
  private inRow(r: number): Value[] {
    let row = this.batchRows[r];
    if (row === undefined) this.batchRows[r] = row = stateRow(this.batch as RecordBatch, r);
    return row;
  }

  /** Stored row `i` of side `side` as values (made once per batch). */
  private stored(side: 0 | 1, i: number): Value[] {
    let row = this.storedRows.get(i);
    if (row === undefined) this.storedRows.set(i, (row = this.state[side].row(i)));
    return row;
  }

  /**
   * Flink's StreamingJoinOperator.processElement, row by row in input order:
   *
   *   accumulate (+I/+U), input side outer:
   *     no match: +I[row+null], state.add(row, 0)
   *     matches:  per other row: if other side outer and its matches == 0: -D[null+other]; other.matches + 1;
   *               +I[row+other]; state.add(row, number of matches)
   *   accumulate, input side not outer: state.add(row); per match: if other side outer, as above with +I,
   *     else [row+other] with the input's kind (+I or +U)
   *   retract (-U/-D): state.retract(row);
   *     no match: -D[row+null] if the input side is outer
   *     per match: [row+other] as -D if the input side is outer, else with the input's kind (-U or -D); if the
   *     other side is outer and its matches == 1: +I[null+other]; other.matches - 1
   *
   * Outer joins so emit -D/+I pairs rather than -U/+U (Flink does the same, see FLINK-17337). The condition
   * runs once for the batch on all candidate pairs: the other side's rows cannot change while one side's batch
   * is processed, only their match counts, which the second pass updates in order.
   */
  private processJoin(batch: RecordBatch, side: 0 | 1, now: number): void {
    const inputIsLeft = side === 0;
    const other = inputIsLeft ? 1 : 0;
    const inputOuter = inputIsLeft ? this.leftOuter : this.rightOuter;
    const otherOuter = inputIsLeft ? this.rightOuter : this.leftOuter;
    const { keys, nulls, candStart, cands, match } = this.candidates(batch, side, now);
    const theirs = this.state[other];
    const n = batch.length;
    for (let r = 0; r < n; r++) {
      const kind = batch.kinds[r] as number;
      const hasKey = nulls === null || nulls[r] === 0;
      const from = candStart[r] as number;
      const to = candStart[r + 1] as number;
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        if (!inputOuter && hasKey) this.add(side, keys[r] as Key, r, -1, now);
        let matched = 0;
        for (let c = from; c < to; c++) {
          if (match !== null && match[c] === 0) continue;
          const i = cands[c] as number;
          const before = theirs.assoc(i);
          const copies = theirs.count(i);
          for (let copy = 0; copy < copies; copy++) {
            if (otherOuter) {
              if (before === 0) this.emitPadded(RowKind.DELETE, this.stored(other, i), !inputIsLeft);
              theirs.setAssoc(i, before + 1, now);
            }
            this.emitPair(
              inputOuter || otherOuter ? RowKind.INSERT : kind,
              this.inRow(r),
              this.stored(other, i),
              inputIsLeft,
            );
            matched++;
          }
        }
        if (inputOuter) {
          if (matched === 0) this.emitPadded(RowKind.INSERT, this.inRow(r), inputIsLeft);
          if (hasKey) this.add(side, keys[r] as Key, r, matched, now);
        }
      } else {
        if (hasKey) this.retract(side, keys[r] as Key, r, now);
        let matched = 0;
        for (let c = from; c < to; c++) {
          if (match !== null && match[c] === 0) continue;
          const i = cands[c] as number;
          const before = theirs.assoc(i);
          const copies = theirs.count(i);
          for (let copy = 0; copy < copies; copy++) {
            this.emitPair(
              inputOuter ? RowKind.DELETE : kind,
              this.inRow(r),
              this.stored(other, i),
              inputIsLeft,
            );
            if (otherOuter) {
              if (before === 1) this.emitPadded(RowKind.INSERT, this.stored(other, i), !inputIsLeft);
              theirs.setAssoc(i, before - 1, now);
            }
            matched++;
          }
        }
        if (matched === 0 && inputOuter) this.emitPadded(RowKind.DELETE, this.inRow(r), inputIsLeft);
      }
    }
  }

  /**
   * Flink's StreamingSemiAntiJoinOperator.processElement1: a left row is emitted with its own kind when it has
   * a match (SEMI) or none (ANTI), then stored with its number of matches (or retracted).
   */
  private processSemiAntiLeft(batch: RecordBatch, now: number): void {
    const anti = this.type === 'ANTI';
    const { keys, nulls, candStart, cands, match } = this.candidates(batch, 0, now);
    const right = this.state[1];
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as number;
      let matched = 0;
      for (let c = candStart[r] as number; c < (candStart[r + 1] as number); c++) {
        if (match === null || match[c] === 1) matched += right.count(cands[c] as number);
      }
      if ((matched === 0) === anti) this.out.row(kind, this.inRow(r));
      if (nulls !== null && nulls[r] === 1) continue;
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER)
        this.add(0, keys[r] as Key, r, matched, now);
      else this.retract(0, keys[r] as Key, r, now);
    }
  }

  /**
   * Flink's StreamingSemiAntiJoinOperator.processElement2: a right row that gives a left row its first match
   * emits that left row (SEMI, with the right row's kind +I/+U) or retracts it (ANTI, -D); one that takes away
   * its last match retracts it (SEMI, with the right row's kind -U/-D) or emits it again (ANTI, +I).
   */
  private processSemiAntiRight(batch: RecordBatch, now: number): void {
    const anti = this.type === 'ANTI';
    const { keys, nulls, candStart, cands, match } = this.candidates(batch, 1, now);
    const left = this.state[0];
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as number;
      const hasKey = nulls === null || nulls[r] === 0;
      const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
      if (hasKey) {
        if (accumulate) this.add(1, keys[r] as Key, r, -1, now);
        else this.retract(1, keys[r] as Key, r, now);
      }
      for (let c = candStart[r] as number; c < (candStart[r + 1] as number); c++) {
        if (match !== null && match[c] === 0) continue;
        const i = cands[c] as number;
        const before = left.assoc(i);
        const copies = left.count(i);
        for (let copy = 0; copy < copies; copy++) {
          if (accumulate) {
            if (before === 0) this.out.row(anti ? RowKind.DELETE : kind, this.stored(0, i));
            left.setAssoc(i, before + 1, now);
          } else {
            if (before === 1) this.out.row(anti ? RowKind.INSERT : kind, this.stored(0, i));
            left.setAssoc(i, before - 1, now);
          }
        }
      }
    }
  }

  /**
   * First pass over a batch of side `side`: each row's key, and the other side's stored rows it may join
   * (same key, not expired), flattened into `cands` with `candStart[r]..candStart[r+1]` per row; the condition
   * then runs once on all (row, candidate) pairs.
   */
  private candidates(
    batch: RecordBatch,
    side: 0 | 1,
    now: number,
  ): {
    keys: readonly Key[];
    nulls: Uint8Array | null;
    candStart: Int32Array;
    cands: number[];
    match: Uint8Array | null;
  } {
    const n = batch.length;
    const keys = (this.keySelectors[side] as KeySelector).keysOf(batch);
    const nulls = nullKeyMask(batch, this.keyCols[side] as readonly number[]);
    const other = side === 0 ? 1 : 0;
    const theirs = this.state[other];
    const candStart = new Int32Array(n + 1);
    const cands: number[] = [];
    const withCondition = this.condition !== null;
    const pairs = this.pairs;
    for (let r = 0; r < n; r++) {
      candStart[r] = cands.length;
      if (nulls !== null && nulls[r] === 1) continue;
      let i = theirs.first(keys[r] as Key);
      while (i !== NONE) {
        const next = theirs.next(i);
        if (this.expired(theirs, i, now)) {
          this.drop(other, i);
        } else {
          cands.push(i);
          if (withCondition) {
            if (side === 0) pairs.add(this.inRow(r), this.stored(other, i));
            else pairs.add(this.stored(other, i), this.inRow(r));
          }
        }
        i = next;
      }
    }
    candStart[n] = cands.length;
    const match = pairs.evaluate(this.condition);
    return { keys, nulls, candStart, cands, match };
  }

  private emitPair(
    kind: number,
    input: readonly Value[],
    other: readonly Value[],
    inputIsLeft: boolean,
  ): void {
    if (inputIsLeft) this.out.pair(kind, input, other);
    else this.out.pair(kind, other, input);
  }

  private emitPadded(kind: number, row: readonly Value[], isLeft: boolean): void {
    if (isLeft) this.out.pair(kind, row, null);
    else this.out.pair(kind, null, row);
  }

  /**
   * state.add(record, matches) for row `r` of the current batch: a further copy of an equal row in a counted
   * side bumps its multiplicity and overwrites its match count, as Flink's does.
   */
  private add(side: 0 | 1, key: Key, r: number, assoc: number, now: number): void {
    const st = this.state[side];
    const ids = this.ids[side];
    if (ids === null) {
      st.add(key, this.batch as RecordBatch, r, assoc, now);
      return;
    }
    const id = rowIdentity(this.inRow(r));
    const at = ids.get(id);
    if (at === undefined) {
      ids.set(id, st.add(key, this.batch as RecordBatch, r, assoc, now));
    } else {
      // An expired equal row is replaced in place (Flink's TTL state never returns it: the add starts over).
      st.setCount(at, this.expired(st, at, now) ? 1 : st.count(at) + 1);
      st.setAssoc(at, assoc, now);
    }
  }

  /** state.retract(record): one copy fewer; retracting a row that is not stored changes nothing. */
  private retract(side: 0 | 1, key: Key, r: number, now: number): void {
    const st = this.state[side];
    const ids = this.ids[side];
    const row = this.inRow(r);
    if (ids === null) {
      // The first equal row in arrival order leaves, as the one counted row would.
      for (let i = st.first(key); i !== NONE; i = st.next(i)) {
        if (sameStored(st, i, row)) {
          st.remove(i);
          return;
        }
      }
      return;
    }
    const id = rowIdentity(row);
    const at = ids.get(id);
    if (at === undefined) return;
    const count = st.count(at);
    if (count > 1 && !this.expired(st, at, now)) {
      st.setCount(at, count - 1);
      st.touch(at, now);
    } else {
      ids.delete(id);
      st.remove(at);
    }
  }

  /** Removes stored row `i` of side `side` (expired). */
  private drop(side: 0 | 1, i: number): void {
    const st = this.state[side];
    const ids = this.ids[side];
    if (ids !== null) {
      const id = rowIdentity(st.row(i));
      if (ids.get(id) === i) ids.delete(id);
    }
    this.storedRows.delete(i);
    st.remove(i);
  }

  /** Flink's TTL check: expired once lastWrite + ttl <= now (StateTtlConfig, NeverReturnExpired). */
  private expired(st: JoinSideState, i: number, now: number): boolean {
    return this.ttl > 0 && st.time(i) + this.ttl <= now;
  }

  private now(): number {
    return this.ttl > 0 && this.ctx !== null ? this.ctx.processingTime.now() : 0;
  }

  /** Drops expired rows of keys no batch touches any more (what Flink's incremental TTL cleanup does). */
  private sweep(now: number): void {
    for (const side of [0, 1] as const) {
      const st = this.state[side];
      for (const key of st.keys()) {
        let i = st.first(key);
        while (i !== NONE) {
          const next = st.next(i);
          if (this.expired(st, i, now)) this.drop(side, i);
          i = next;
        }
      }
    }
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  /**
   * Key-grouped (one section per key group, as Flink's keyed state backend writes it), so a restore at another
   * parallelism can split it: a join key's rows of both sides live in one group. A stored row is
   * [row, count, assoc, time] on a counted side and just its values otherwise.
   */
  snapshotState(): Uint8Array {
    if (this.ttl > 0) this.sweep(this.now());
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const side of [0, 1] as const) {
      const name = SIDE_NAMES[side];
      const counted = this.counted[side];
      for (const e of this.state[side].entries())
        sections.add(name, e.key, counted ? [e.row, e.count, e.assoc, e.time] : e.row);
    }
    return sections.encode();
  }

  restoreState(bytes: Uint8Array): void {
    this.state = this.emptyState();
    this.ids = [this.counted[0] ? new Map() : null, this.counted[1] ? new Map() : null];
    const grouped = keyedMapsOrLegacy(bytes);
    if (grouped === null) {
      // A snapshot taken before the state was key-grouped: restorable at its own parallelism only.
      const s = deserialize(bytes) as Snapshot | { left: LegacySide; right: LegacySide };
      const sides = 'version' in s ? [s.left, s.right] : [legacyRows(s.left), legacyRows(s.right)];
      sides.forEach((rows, side) => {
        for (const e of rows) this.restoreRow(side, e.key, e.row, e.count, e.assoc, e.time);
      });
      return;
    }
    for (const side of [0, 1] as const) {
      const entries = grouped.maps[SIDE_NAMES[side]] ?? [];
      if (this.counted[side]) {
        for (const [key, [row, count, assoc, time]] of entries as [Key, [Value[], number, number, number]][])
          this.restoreRow(side, key, row, count, assoc, time);
      } else {
        // Rows of an uncounted side were snapshotted with count 1, assoc -1 (none kept) and time 0.
        for (const [key, row] of entries as [Key, Value[]][]) this.restoreRow(side, key, row, 1, -1, 0);
      }
    }
  }

  private restoreRow(side: number, key: Key, row: Value[], count: number, assoc: number, time: number): void {
    const i = (this.state[side] as JoinSideState).addValues(key, row, count, assoc, time);
    const ids = this.ids[side];
    if (ids !== null && ids !== undefined) ids.set(rowIdentity(row), i);
  }

  /** The number of stored rows (with multiplicity) per side, for tests and metrics. */
  stateSize(): [number, number] {
    return [this.state[0].size, this.state[1].size];
  }

  finish(): void {}

  close(): void {}
}

function hasRetraction(batch: RecordBatch): boolean {
  const kinds = batch.kinds;
  for (let r = 0; r < batch.length; r++) {
    const k = kinds[r] as number;
    if (k === RowKind.UPDATE_BEFORE || k === RowKind.DELETE) return true;
  }
  return false;
}

/** Rows of a snapshot taken before the columnar state. */
function* legacyRows(side: LegacySide): Generator<StoredRow> {
  for (const [key, recs] of side) {
    for (const rec of recs.values())
      yield { key, row: rec.row, count: rec.count, assoc: rec.assoc, time: rec.time };
  }
}

/** Whether stored row `i` equals `row` as state identities compare. */
function sameStored(st: JoinSideState, i: number, row: readonly Value[]): boolean {
  for (let c = 0; c < row.length; c++) if (!sameValue(st.cell(i, c), row[c] as Value)) return false;
  return true;
}

/** Whether two cells are equal as state identities are (rowIdentity): NULLs equal, NaN equal to NaN, 5 = 5n. */
function sameValue(x: Value, y: Value): boolean {
  if (x === y) return true;
  if (typeof x === 'number' && typeof y === 'number') return Number.isNaN(x) && Number.isNaN(y);
  if (typeof x !== 'object' && typeof y !== 'object' && typeof x === typeof y) return false;
  return rowIdentity([x]) === rowIdentity([y]);
}

/**
 * A row's values as the join state keeps them: cells of the exact-double layout (BIGINT, DECIMAL unscaled,
 * TIMESTAMP(3), DOUBLE) stay numbers instead of becoming a BigInt each, which made every stored q7 bid three
 * heap objects more and a third of its time garbage collection. Stored rows only go back into column builders
 * (which take a BIGINT as an exact number or a bigint alike) and into row identities (where 5 and 5n agree).
 */
function stateRow(batch: RecordBatch, r: number): Value[] {
  const cols = batch.columns;
  const out = new Array<Value>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as Column;
    out[i] =
      c.kind === 'f64'
        ? isValid(c.validity, r)
          ? (c.values[r] as number)
          : null
        : getValue(c, batch.schema.field(i).type, r);
  }
  return out;
}
