// The regular (unbounded) streaming join of two changelogs, Flink's StreamingJoinOperator (INNER/LEFT/RIGHT/
// FULL) and StreamingSemiAntiJoinOperator (SEMI/ANTI, the plans of IN/EXISTS and NOT IN/NOT EXISTS). Each side
// keeps, per join key, a multiset of its rows (row -> count); an outer side (and the left side of SEMI/ANTI)
// also keeps per row how many rows of the other side it matches, which decides when its NULL-padded row is
// retracted (first match arrives) or re-emitted (last match leaves). Row kinds follow Flink exactly, see
// `processJoin`. Input 0 is the left side, input 1 the right.
import { deserialize, serialize } from 'node:v8';
import type { RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { isValid } from '../batch/validity.js';
import type { Key, KeySelector } from '../runtime/key.js';
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

/** One distinct row of a side with its multiplicity; `assoc` counts the other side's matches (outer sides). */
interface JoinRecord {
  readonly row: Value[];
  count: number;
  assoc: number;
  /** Processing time of the last write, for the state TTL (Flink's OnCreateAndWrite). */
  time: number;
}

/**
 * join key -> the side's rows with that key. An outer side (and the left of SEMI/ANTI) keys its rows by
 * identity, because Flink's add() of an equal row overwrites its match count; a side that never counts matches
 * keeps a plain list in arrival order (Flink's InputSideHasNoUniqueKey holds the same multiset), so storing a row
 * does not build an identity text of all its values (which was a third of q7's time). Equal rows then sit in
 * separate records: the joined output is the same rows, only equal rows may swap places.
 */
type Records = Map<Key, JoinRecord> | JoinRecord[];
type SideState = Map<Key, Records>;

interface Snapshot {
  readonly left: SideState;
  readonly right: SideState;
}

export class StreamingJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly type: JoinType;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private readonly semiAnti: boolean;
  private readonly keyCols: readonly [readonly number[], readonly number[]];
  private readonly keySelectors: readonly [KeySelector, KeySelector];
  private readonly condition: JoinCondition | null;
  private readonly ttl: number;
  /** Per side: rows kept as a list (no match counts to keep per distinct row, no TTL). */
  private readonly listSide: readonly [boolean, boolean];
  // Checkpointed state.
  private state: [SideState, SideState] = [new Map(), new Map()];
  // Transient.
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  private nextSweep = 0;
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;

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
    // TTL keeps the identity map: an expired equal row is replaced in place there, as Flink's state does.
    this.listSide = [!this.leftOuter && this.ttl === 0, !this.rightOuter && this.ttl === 0];
    this.pairs = new PairBatch(pairSchema(leftSchema, rightSchema), leftSchema.size);
    this.out = new JoinRowsBuilder(outputSchema, this.semiAnti ? outputSchema.size : leftSchema.size);
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
    if (!this.semiAnti) this.processJoin(batch, side, now);
    else if (side === 0) this.processSemiAntiLeft(batch, now);
    else this.processSemiAntiRight(batch, now);
    const b = this.out.build();
    if (b !== null) (this.output as Output).emitBatch(b);
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
    const inputOuter = inputIsLeft ? this.leftOuter : this.rightOuter;
    const otherOuter = inputIsLeft ? this.rightOuter : this.leftOuter;
    const { rows, keys, nulls, candStart, cands, match } = this.candidates(batch, side, now);
    const mine = this.state[side];
    const n = batch.length;
    for (let r = 0; r < n; r++) {
      const row = rows[r] as Value[];
      const kind = batch.kinds[r] as number;
      const hasKey = nulls === null || nulls[r] === 0;
      const from = candStart[r] as number;
      const to = candStart[r + 1] as number;
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        if (!inputOuter && hasKey) this.add(mine, keys[r] as Key, row, -1, now, side);
        let matched = 0;
        for (let c = from; c < to; c++) {
          if (match !== null && match[c] === 0) continue;
          const rec = cands[c] as JoinRecord;
          const before = rec.assoc;
          for (let copy = 0; copy < rec.count; copy++) {
            if (otherOuter) {
              if (before === 0) this.emitPadded(RowKind.DELETE, rec.row, !inputIsLeft);
              rec.assoc = before + 1;
              rec.time = now;
            }
            this.emitPair(inputOuter || otherOuter ? RowKind.INSERT : kind, row, rec.row, inputIsLeft);
            matched++;
          }
        }
        if (inputOuter) {
          if (matched === 0) this.emitPadded(RowKind.INSERT, row, inputIsLeft);
          if (hasKey) this.add(mine, keys[r] as Key, row, matched, now, side);
        }
      } else {
        if (hasKey) this.retract(mine, keys[r] as Key, row, now, side);
        let matched = 0;
        for (let c = from; c < to; c++) {
          if (match !== null && match[c] === 0) continue;
          const rec = cands[c] as JoinRecord;
          const before = rec.assoc;
          for (let copy = 0; copy < rec.count; copy++) {
            this.emitPair(inputOuter ? RowKind.DELETE : kind, row, rec.row, inputIsLeft);
            if (otherOuter) {
              if (before === 1) this.emitPadded(RowKind.INSERT, rec.row, !inputIsLeft);
              rec.assoc = before - 1;
              rec.time = now;
            }
            matched++;
          }
        }
        if (matched === 0 && inputOuter) this.emitPadded(RowKind.DELETE, row, inputIsLeft);
      }
    }
  }

  /**
   * Flink's StreamingSemiAntiJoinOperator.processElement1: a left row is emitted with its own kind when it has
   * a match (SEMI) or none (ANTI), then stored with its number of matches (or retracted).
   */
  private processSemiAntiLeft(batch: RecordBatch, now: number): void {
    const anti = this.type === 'ANTI';
    const { rows, keys, nulls, candStart, cands, match } = this.candidates(batch, 0, now);
    const left = this.state[0];
    for (let r = 0; r < batch.length; r++) {
      const row = rows[r] as Value[];
      const kind = batch.kinds[r] as number;
      let matched = 0;
      for (let c = candStart[r] as number; c < (candStart[r + 1] as number); c++) {
        if (match === null || match[c] === 1) matched += (cands[c] as JoinRecord).count;
      }
      if ((matched === 0) === anti) this.out.row(kind, row);
      if (nulls !== null && nulls[r] === 1) continue;
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER)
        this.add(left, keys[r] as Key, row, matched, now, 0);
      else this.retract(left, keys[r] as Key, row, now, 0);
    }
  }

  /**
   * Flink's StreamingSemiAntiJoinOperator.processElement2: a right row that gives a left row its first match
   * emits that left row (SEMI, with the right row's kind +I/+U) or retracts it (ANTI, -D); one that takes away
   * its last match retracts it (SEMI, with the right row's kind -U/-D) or emits it again (ANTI, +I).
   */
  private processSemiAntiRight(batch: RecordBatch, now: number): void {
    const anti = this.type === 'ANTI';
    const { rows, keys, nulls, candStart, cands, match } = this.candidates(batch, 1, now);
    const right = this.state[1];
    for (let r = 0; r < batch.length; r++) {
      const row = rows[r] as Value[];
      const kind = batch.kinds[r] as number;
      const hasKey = nulls === null || nulls[r] === 0;
      const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
      if (hasKey) {
        if (accumulate) this.add(right, keys[r] as Key, row, -1, now, 1);
        else this.retract(right, keys[r] as Key, row, now, 1);
      }
      for (let c = candStart[r] as number; c < (candStart[r + 1] as number); c++) {
        if (match !== null && match[c] === 0) continue;
        const rec = cands[c] as JoinRecord;
        const before = rec.assoc;
        for (let copy = 0; copy < rec.count; copy++) {
          if (accumulate) {
            if (before === 0) this.out.row(anti ? RowKind.DELETE : kind, rec.row);
            rec.assoc = before + 1;
          } else {
            if (before === 1) this.out.row(anti ? RowKind.INSERT : kind, rec.row);
            rec.assoc = before - 1;
          }
          rec.time = now;
        }
      }
    }
  }

  /**
   * First pass over a batch of side `side`: each row's values and key, and the other side's stored records it
   * may join (same key, not expired), flattened into `cands` with `candStart[r]..candStart[r+1]` per row; the
   * condition then runs once on all (row, candidate) pairs.
   */
  private candidates(
    batch: RecordBatch,
    side: 0 | 1,
    now: number,
  ): {
    rows: Value[][];
    keys: readonly Key[];
    nulls: Uint8Array | null;
    candStart: Int32Array;
    cands: JoinRecord[];
    match: Uint8Array | null;
  } {
    const n = batch.length;
    const keys = (this.keySelectors[side] as KeySelector).keysOf(batch);
    const nulls = nullKeyMask(batch, this.keyCols[side] as readonly number[]);
    const theirs = this.state[side === 0 ? 1 : 0];
    const rows = new Array<Value[]>(n);
    const candStart = new Int32Array(n + 1);
    const cands: JoinRecord[] = [];
    const withCondition = this.condition !== null;
    const pairs = this.pairs;
    for (let r = 0; r < n; r++) {
      const row = stateRow(batch, r);
      rows[r] = row;
      candStart[r] = cands.length;
      if (nulls !== null && nulls[r] === 1) continue;
      const key = keys[r] as Key;
      const recs = theirs.get(key);
      if (recs === undefined) continue;
      if (Array.isArray(recs)) {
        // A list side has no TTL: every record is live.
        for (let c = 0; c < recs.length; c++) {
          const rec = recs[c] as JoinRecord;
          cands.push(rec);
          if (withCondition) {
            if (side === 0) pairs.add(row, rec.row);
            else pairs.add(rec.row, row);
          }
        }
        continue;
      }
      for (const [id, rec] of recs) {
        if (this.expired(rec, now)) {
          recs.delete(id);
          continue;
        }
        cands.push(rec);
        if (withCondition) {
          if (side === 0) pairs.add(row, rec.row);
          else pairs.add(rec.row, row);
        }
      }
      if (recs.size === 0) theirs.delete(key);
    }
    candStart[n] = cands.length;
    const match = pairs.evaluate(this.condition);
    return { rows, keys, nulls, candStart, cands, match };
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

  /** state.add(record, matches): a further copy of an equal row overwrites the match count, as Flink's does. */
  private add(state: SideState, key: Key, row: Value[], assoc: number, now: number, side: 0 | 1): void {
    let recs = state.get(key);
    if (this.listSide[side]) {
      const rec: JoinRecord = { row, count: 1, assoc, time: now };
      if (recs === undefined) state.set(key, [rec]);
      else (recs as JoinRecord[]).push(rec);
      return;
    }
    if (recs === undefined) state.set(key, (recs = new Map()));
    if (Array.isArray(recs)) throw new Error(`${this.name}: a list side's state read as an identity map`);
    const id = rowIdentity(row);
    const rec = recs.get(id);
    if (rec !== undefined && !this.expired(rec, now)) {
      rec.count++;
      rec.assoc = assoc;
      rec.time = now;
    } else {
      recs.set(id, { row, count: 1, assoc, time: now });
    }
  }

  /** state.retract(record): one copy fewer; retracting a row that is not stored changes nothing. */
  private retract(state: SideState, key: Key, row: Value[], now: number, side: 0 | 1): void {
    const recs = state.get(key);
    if (recs === undefined) return;
    if (Array.isArray(recs) || this.listSide[side]) {
      // The first equal row loses a copy, as the identity map's one record would.
      const list = recs as JoinRecord[];
      const at = list.findIndex((rec) => sameRow(rec.row, row));
      if (at < 0) return;
      const rec = list[at] as JoinRecord;
      if (rec.count > 1) rec.count--;
      else list.splice(at, 1);
      if (list.length === 0) state.delete(key);
      return;
    }
    const id = rowIdentity(row);
    const rec = recs.get(id);
    if (rec === undefined) return;
    if (rec.count > 1 && !this.expired(rec, now)) {
      rec.count--;
      rec.time = now;
    } else {
      recs.delete(id);
      if (recs.size === 0) state.delete(key);
    }
  }

  /** Flink's TTL check: expired once lastWrite + ttl <= now (StateTtlConfig, NeverReturnExpired). */
  private expired(rec: JoinRecord, now: number): boolean {
    return this.ttl > 0 && rec.time + this.ttl <= now;
  }

  private now(): number {
    return this.ttl > 0 && this.ctx !== null ? this.ctx.processingTime.now() : 0;
  }

  /** Drops expired rows of keys no batch touches any more (what Flink's incremental TTL cleanup does). */
  private sweep(now: number): void {
    for (const state of this.state) {
      for (const [key, recs] of state) {
        if (Array.isArray(recs)) continue; // list sides have no TTL
        for (const [id, rec] of recs) if (this.expired(rec, now)) recs.delete(id);
        if (recs.size === 0) state.delete(key);
      }
    }
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  snapshotState(): Uint8Array {
    if (this.ttl > 0) this.sweep(this.now());
    const s: Snapshot = { left: this.state[0], right: this.state[1] };
    return serialize(s);
  }

  restoreState(bytes: Uint8Array): void {
    const s = deserialize(bytes) as Snapshot;
    this.state = [s.left, s.right];
  }

  /** The number of stored rows (with multiplicity) per side, for tests and metrics. */
  stateSize(): [number, number] {
    const count = (s: SideState): number => {
      let n = 0;
      for (const recs of s.values()) for (const rec of recs.values()) n += rec.count;
      return n;
    };
    return [count(this.state[0]), count(this.state[1])];
  }

  finish(): void {}

  close(): void {}
}

/** Whether two rows are equal as state identities are (rowIdentity): same values, NULLs equal, NaN equal to NaN. */
function sameRow(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Value;
    const y = b[i] as Value;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y)) continue;
    if (typeof x !== 'object' && typeof y !== 'object' && typeof x === typeof y) return false;
    if (rowIdentity([x]) !== rowIdentity([y])) return false;
  }
  return true;
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
    out[i] = c.kind === 'f64' ? (isValid(c.validity, r) ? (c.values[r] as number) : null) : getValue(c, batch.schema.field(i).type, r);
  }
  return out;
}
