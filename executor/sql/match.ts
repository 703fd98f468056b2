// MATCH_RECOGNIZE (ONE ROW PER MATCH), Flink's CepOperator over the NFA its MatchRecognize translation builds:
// rows are kept per partition until the watermark passes them, then fed in rowtime order (then the secondary ORDER
// BY keys, then arrival) to the NFA. Every row may start a match; partial matches advance by one row at a time
// (strict contiguity); a DEFINE condition sees the rows mapped so far plus the candidate row. As in Flink's
// NFA.processMatchesAccordingToSkipStrategy, a completed match waits while a partial match that started earlier is
// alive, matches are emitted in order of their first row, and each emitted match prunes the partial and completed
// matches its AFTER MATCH SKIP strategy passes over. WITHIN drops partial matches whose last row would be more than
// the interval after their first. Conditions and measures are compiled by the planner over "slot" batches: each
// slot is one navigation (`LAST(A.price, 1)`, `PREV(price)`), aggregate (`AVG(A.price)`) or function
// (`CLASSIFIER()`, `MATCH_NUMBER()`) value, computed here per candidate, evaluated for all candidates of a row (or
// all matches of a watermark) in one call.
import { deserialize } from 'node:v8';
import { batchFromRows, rowAt, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import {
  KeyedSections,
  keyedMapsOrLegacy,
  restoreWatermarkAndCounter,
  watermarkAndCounter,
} from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import type { Schema } from '../types/schema.js';
import { RowKind } from '../types/row-kind.js';
import { readTimes } from './join-common.js';
import { columnsKeySelector } from './keys.js';
import { compileNfa, type MatchPattern, type Nfa, type NfaNode } from './match-pattern.js';
import { compareForOrder, compareOn, type SortKey } from './rank.js';

/** One value a DEFINE condition or a measure reads, computed from the rows of a (partial) match. */
export type MatchSlot =
  /**
   * The value of row expression `expr` at a row: of `variable`'s rows (all rows when null), the `offset`-th from
   * the last (LAST) or first (FIRST), then `physical` rows before that one in the partition (PREV).
   */
  | {
      readonly kind: 'nav';
      readonly variable: string | null;
      readonly mode: 'FIRST' | 'LAST';
      readonly offset: number;
      readonly physical: number;
      readonly expr: number;
    }
  /** An aggregate of row expression `expr` (null: COUNT(*)) over `variable`'s rows (all rows when null). */
  | {
      readonly kind: 'agg';
      readonly agg: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
      readonly variable: string | null;
      readonly expr: number | null;
      /** AVG of an integer type truncates (Flink's AVG of BIGINT is a BIGINT). */
      readonly integral: boolean;
    }
  /** The variable of the candidate row (DEFINE) or of the match's last row (MEASURES). */
  | { readonly kind: 'classifier' }
  /** The match's number in its partition, from 1 (DEFINE: the number the match would get). */
  | { readonly kind: 'matchNumber' }
  /** The rowtime of the candidate row (DEFINE) or of the match's last row (MEASURES: MATCH_ROWTIME()). */
  | { readonly kind: 'matchRowtime' };

export type AfterMatchSkip =
  | { readonly kind: 'pastLastRow' | 'toNextRow' }
  | { readonly kind: 'toFirst' | 'toLast'; readonly variable: string };

export interface MatchDefine {
  readonly slots: readonly MatchSlot[];
  readonly slotSchema: Schema;
  /** 1 where the condition is TRUE, per row of the slot batch. */
  readonly condition: (slots: RecordBatch) => Uint8Array;
}

export interface MatchConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly partitionKeys: readonly number[];
  readonly timeCol: number;
  /** Rowtime: rows wait for the watermark and are sorted; proctime: rows are matched as they arrive. */
  readonly isRowtime: boolean;
  /** ORDER BY keys after the time attribute. */
  readonly secondary: readonly SortKey[];
  readonly pattern: MatchPattern;
  readonly withinMs: number | null;
  readonly after: AfterMatchSkip;
  /** The row expressions slots read (`price`, `price * tax`), computed once per input batch. */
  readonly rowExprs: (batch: RecordBatch) => RecordBatch;
  /** The DEFINE of each variable that has one (the others are TRUE). */
  readonly defines: ReadonlyMap<string, MatchDefine>;
  /** Measures: the slot batch is the partition key columns ++ the slots; `project` yields the output row. */
  readonly measures: {
    readonly slots: readonly MatchSlot[];
    readonly slotSchema: Schema;
    readonly project: (slots: RecordBatch) => RecordBatch;
  };
  readonly outputSchema: Schema;
}

interface Event {
  /** Position in the partition's row sequence (PREV counts in it). */
  readonly idx: number;
  readonly time: number;
  readonly row: Value[];
  readonly vals: Value[];
}

interface Assigned {
  readonly ev: Event;
  readonly v: string;
}

interface Partial {
  /** NFA node to continue from with the next row. */
  readonly pos: number;
  readonly rows: readonly Assigned[];
}

interface Pending {
  readonly time: number;
  readonly seq: number;
  readonly row: Value[];
  readonly vals: Value[];
}

interface PartitionState {
  readonly keyValues: Value[];
  /** Rows waiting for the watermark (rowtime). */
  pending: Pending[];
  partials: Partial[];
  /** Completed matches waiting for earlier partial matches, by first row. */
  completed: Partial[];
  /** Recent rows for PREV: history[i] has idx `base + i`. */
  history: Event[];
  base: number;
  nextIdx: number;
  matchNumber: number;
}

interface Snapshot {
  readonly state: Map<Key, PartitionState>;
  readonly watermark: number;
  readonly seq: number;
}

export class MatchRecognizeOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly nfa: Nfa;
  private readonly keySelector: KeySelector;
  private readonly maxPrev: number;
  // Checkpointed state.
  private state = new Map<Key, PartitionState>();
  private watermark = -Infinity;
  private seq = 0;
  // Transient.
  private ctx: OperatorContext | null = null;
  private output: Output | null = null;
  /** Matches emitted while handling the current element, with their partition's key values and match number. */
  private emitted: { ps: PartitionState; m: Partial; number: number }[] = [];

  constructor(private readonly cfg: MatchConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.nfa = compileNfa(cfg.pattern);
    this.keySelector = columnsKeySelector(
      cfg.partitionKeys,
      cfg.partitionKeys.map((k) => cfg.inputSchema.field(k).name),
    );
    const slots = [...[...cfg.defines.values()].flatMap((d) => d.slots), ...cfg.measures.slots];
    this.maxPrev = Math.max(0, ...slots.map((s) => (s.kind === 'nav' ? s.physical : 0)));
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    for (let r = 0; r < batch.length; r++) {
      if (batch.kinds[r] !== RowKind.INSERT)
        throw new Error(
          `${this.name}: MATCH_RECOGNIZE can only be applied to an append table, got a ${batch.kinds[r]} row`,
        );
    }
    const keys = this.keySelector.keysOf(batch);
    const vals = this.cfg.rowExprs(batch);
    const times = this.cfg.isRowtime ? readTimes(batch, this.cfg.timeCol) : null;
    let late = 0;
    const touched = new Set<PartitionState>();
    for (let r = 0; r < batch.length; r++) {
      const time = times === null ? (this.ctx?.processingTime.now() ?? Date.now()) : (times[r] as number);
      if (times !== null && (Number.isNaN(time) || time <= this.watermark)) {
        late++;
        continue;
      }
      const row = rowAt(batch, r);
      const key = keys[r] as Key;
      let ps = this.state.get(key);
      if (ps === undefined) {
        ps = {
          keyValues: this.cfg.partitionKeys.map((k) => row[k] as Value),
          pending: [],
          partials: [],
          completed: [],
          history: [],
          base: 0,
          nextIdx: 0,
          matchNumber: 0,
        };
        this.state.set(key, ps);
      }
      const p: Pending = { time, seq: this.seq++, row, vals: rowAt(vals, r) };
      if (this.cfg.isRowtime) ps.pending.push(p);
      else {
        this.process(ps, p);
        touched.add(ps);
      }
    }
    if (late > 0) this.ctx?.metrics.inc('numLateRecordsDropped', late);
    if (!this.cfg.isRowtime) this.flush();
  }

  processWatermark(timestamp: number): void {
    if (timestamp <= this.watermark) {
      (this.output as Output).emitWatermark(timestamp);
      return;
    }
    this.watermark = timestamp;
    if (this.cfg.isRowtime) {
      for (const ps of this.state.values()) {
        if (ps.pending.length > 0) {
          const ready = ps.pending.filter((p) => p.time <= timestamp);
          if (ready.length > 0) {
            ps.pending = ps.pending.filter((p) => p.time > timestamp);
            ready.sort(
              (a, b) =>
                a.time - b.time || compareOn(this.cfg.secondary, a.row, b.row, false) || a.seq - b.seq,
            );
            for (const p of ready) this.process(ps, p);
          }
        }
        // Partial matches that can no longer finish within the interval go, which may release waiting matches.
        if (this.cfg.withinMs !== null && ps.partials.length > 0) {
          const within = this.cfg.withinMs;
          const before = ps.partials.length;
          ps.partials = ps.partials.filter((m) => timestamp - (m.rows[0] as Assigned).ev.time <= within);
          if (ps.partials.length !== before) this.release(ps);
        }
      }
    }
    this.flush();
    (this.output as Output).emitWatermark(timestamp);
  }

  /** Feeds one row to the partition's NFA. */
  private process(ps: PartitionState, p: Pending): void {
    const ev: Event = { idx: ps.nextIdx++, time: p.time, row: p.row, vals: p.vals };
    ps.history.push(ev);
    if (this.cfg.withinMs !== null) {
      const within = this.cfg.withinMs;
      ps.partials = ps.partials.filter((m) => ev.time - (m.rows[0] as Assigned).ev.time <= within);
    }
    // Every row may start a match: the empty partial at the pattern's start.
    const partials: Partial[] = [...ps.partials, { pos: this.nfa.start, rows: [] }];
    // 1. The variables each partial could give this row to, evaluated together per variable.
    const wanted = partials.map((m) => {
      const vars = new Set<string>();
      this.reach(m.pos, new Set(), (n) => void (n.kind === 'take' && vars.add(n.variable)));
      return vars;
    });
    const ok = this.evaluate(ps, partials, wanted, ev);
    // 2. Take the row where allowed (greedy loops first), and see which partials are now complete.
    const next: Partial[] = [];
    const seen = new Set<string>();
    const done: Partial[] = [];
    partials.forEach((m, i) => {
      const can = ok[i] as Map<string, boolean>;
      const takes: Extract<NfaNode, { kind: 'take' }>[] = [];
      this.closure(
        m.pos,
        (v) => can.get(v) === true,
        (n) => takes.push(n),
        new Set(),
      );
      for (const t of takes) {
        const moved: Partial = { pos: t.next, rows: [...m.rows, { ev, v: t.variable }] };
        const id = `${moved.pos}:${(moved.rows[0] as Assigned).ev.idx}:${moved.rows.map((a) => a.v).join(',')}`;
        if (seen.has(id)) continue;
        seen.add(id);
        let final = false;
        let more = false;
        this.reach(moved.pos, new Set(), (n) => (n.kind === 'final' ? (final = true) : (more = true)));
        if (final) done.push(moved);
        if (more) next.push(moved);
      }
    });
    ps.partials = next;
    if (done.length > 0) {
      ps.completed.push(...done);
      ps.completed.sort((a, b) => (a.rows[0] as Assigned).ev.idx - (b.rows[0] as Assigned).ev.idx);
    }
    this.release(ps);
    this.trimHistory(ps);
  }

  /**
   * Take nodes reachable from `pos` without a row. At a greedy split the exit is followed only when nothing
   * can be taken through the loop (`canTake` says which variables take the row).
   */
  private closure(
    pos: number,
    canTake: (variable: string) => boolean,
    onTake: (n: Extract<NfaNode, { kind: 'take' }>) => void,
    visited: Set<number>,
  ): boolean {
    if (visited.has(pos)) return false;
    visited.add(pos);
    const n = this.nfa.nodes[pos] as NfaNode;
    switch (n.kind) {
      case 'final':
        return false;
      case 'take':
        if (!canTake(n.variable)) return false;
        onTake(n);
        return true;
      case 'split': {
        let any = false;
        for (let i = 0; i < n.targets.length; i++) {
          if (n.greedyLoop && i > 0 && any) break;
          if (this.closure(n.targets[i] as number, canTake, onTake, visited)) any = true;
        }
        return any;
      }
    }
  }

  /** Every take or final node reachable from `pos` without a row. */
  private reach(pos: number, visited: Set<number>, on: (n: NfaNode) => void): void {
    if (visited.has(pos)) return;
    visited.add(pos);
    const n = this.nfa.nodes[pos] as NfaNode;
    if (n.kind === 'split') for (const t of n.targets) this.reach(t, visited, on);
    else on(n);
  }

  /** DEFINE results per partial and variable, one condition call per variable. */
  private evaluate(
    ps: PartitionState,
    partials: readonly Partial[],
    wanted: readonly Set<string>[],
    ev: Event,
  ): Map<string, boolean>[] {
    const results = partials.map(() => new Map<string, boolean>());
    const byVar = new Map<string, number[]>();
    wanted.forEach((vars, i) => {
      for (const v of vars) {
        if (!this.cfg.defines.has(v)) (results[i] as Map<string, boolean>).set(v, true);
        else {
          let list = byVar.get(v);
          if (list === undefined) byVar.set(v, (list = []));
          list.push(i);
        }
      }
    });
    for (const [v, idxs] of byVar) {
      const def = this.cfg.defines.get(v) as MatchDefine;
      const rows = idxs.map((i) =>
        def.slots.map((s) =>
          this.slotValue(s, ps, (partials[i] as Partial).rows, { ev, v }, ps.matchNumber + 1),
        ),
      );
      const mask = def.condition(batchFromRows(def.slotSchema, rows));
      idxs.forEach((i, j) => (results[i] as Map<string, boolean>).set(v, mask[j] === 1));
    }
    return results;
  }

  /** Emits completed matches no earlier partial match can still prune, in order, applying the skip strategy. */
  private release(ps: PartitionState): void {
    while (ps.completed.length > 0) {
      const head = ps.completed[0] as Partial;
      const start = (head.rows[0] as Assigned).ev.idx;
      const earliest = ps.partials.reduce(
        (min, m) => Math.min(min, (m.rows[0] as Assigned).ev.idx),
        Infinity,
      );
      if (!(start < earliest)) break;
      ps.completed.shift();
      ps.matchNumber++;
      this.emitted.push({ ps, m: head, number: ps.matchNumber });
      const { id, inclusive } = this.pruningPoint(head);
      const keep = (m: Partial): boolean => {
        const s = (m.rows[0] as Assigned).ev.idx;
        return inclusive ? s > id : s >= id;
      };
      ps.partials = ps.partials.filter(keep);
      ps.completed = ps.completed.filter(keep);
    }
  }

  /** Where the next match may start (Flink's AfterMatchSkipStrategy#getPruningId and shouldPrune). */
  private pruningPoint(m: Partial): { id: number; inclusive: boolean } {
    const after = this.cfg.after;
    const first = (m.rows[0] as Assigned).ev.idx;
    switch (after.kind) {
      case 'pastLastRow':
        return { id: (m.rows[m.rows.length - 1] as Assigned).ev.idx, inclusive: true };
      case 'toNextRow':
        return { id: first, inclusive: true };
      case 'toFirst':
      case 'toLast': {
        const rows = m.rows.filter((a) => a.v === after.variable);
        const row = after.kind === 'toFirst' ? rows[0] : rows[rows.length - 1];
        if (row === undefined)
          throw new Error(
            `${this.name}: AFTER MATCH SKIP TO ${after.kind === 'toFirst' ? 'FIRST' : 'LAST'} ${after.variable}: no row of the match is mapped to ${after.variable}`,
          );
        if (row.ev.idx === first)
          throw new Error(
            `${this.name}: Could not skip to ${after.kind === 'toFirst' ? 'first' : 'last'} element of a match (AFTER MATCH SKIP TO ${after.variable} would start the next match where this one started)`,
          );
        return { id: row.ev.idx, inclusive: false };
      }
    }
  }

  private trimHistory(ps: PartitionState): void {
    let keepFrom = ps.nextIdx - this.maxPrev;
    for (const m of ps.partials) keepFrom = Math.min(keepFrom, (m.rows[0] as Assigned).ev.idx - this.maxPrev);
    for (const m of ps.completed)
      keepFrom = Math.min(keepFrom, (m.rows[0] as Assigned).ev.idx - this.maxPrev);
    const drop = keepFrom - ps.base;
    if (drop > 0) {
      ps.history.splice(0, drop);
      ps.base += drop;
    }
  }

  private slotValue(
    s: MatchSlot,
    ps: PartitionState,
    rows: readonly Assigned[],
    current: Assigned | null,
    matchNumber: number,
  ): Value {
    switch (s.kind) {
      case 'classifier':
        return current !== null ? current.v : ((rows[rows.length - 1] as Assigned | undefined)?.v ?? null);
      case 'matchNumber':
        return matchNumber;
      case 'matchRowtime':
        return current !== null
          ? current.ev.time
          : ((rows[rows.length - 1] as Assigned | undefined)?.ev.time ?? null);
      case 'nav': {
        const list = this.rowsOf(s.variable, rows, current);
        const at = s.mode === 'LAST' ? list.length - 1 - s.offset : s.offset;
        const a = list[at];
        if (a === undefined) return null;
        let ev: Event | undefined = a.ev;
        if (s.physical > 0) ev = ps.history[a.ev.idx - s.physical - ps.base];
        return ev === undefined ? null : (ev.vals[s.expr] as Value);
      }
      case 'agg': {
        const list = this.rowsOf(s.variable, rows, current);
        if (s.expr === null) return list.length;
        let count = 0;
        let acc: Value = null;
        for (const a of list) {
          const v = a.ev.vals[s.expr] as Value;
          if (v === null) continue;
          count++;
          if (acc === null) acc = v;
          else if (s.agg === 'MIN') acc = compareForOrder(v, acc) < 0 ? v : acc;
          else if (s.agg === 'MAX') acc = compareForOrder(v, acc) > 0 ? v : acc;
          else if (s.agg === 'SUM' || s.agg === 'AVG')
            acc =
              typeof acc === 'bigint' || typeof v === 'bigint'
                ? BigInt(acc as number) + BigInt(v as number)
                : (acc as number) + (v as number);
        }
        if (s.agg === 'COUNT') return count;
        if (s.agg === 'AVG' && acc !== null) {
          if (typeof acc === 'bigint') return acc / BigInt(count);
          return s.integral ? Math.trunc((acc as number) / count) : (acc as number) / count;
        }
        return acc;
      }
    }
  }

  /** The rows of `variable` (all rows when null) with the candidate row last when it is being given to it. */
  private rowsOf(variable: string | null, rows: readonly Assigned[], current: Assigned | null): Assigned[] {
    const out = variable === null ? [...rows] : rows.filter((a) => a.v === variable);
    if (current !== null && (variable === null || current.v === variable)) out.push(current);
    return out;
  }

  /** Evaluates the measures of the matches emitted so far as one batch. */
  private flush(): void {
    if (this.emitted.length === 0) return;
    const ms = this.cfg.measures;
    const rows = this.emitted.map(({ ps, m, number }) => [
      ...ps.keyValues,
      ...ms.slots.map((s) => this.slotValue(s, ps, m.rows, null, number)),
    ]);
    this.emitted = [];
    (this.output as Output).emitBatch(ms.project(batchFromRows(ms.slotSchema, rows)));
  }

  /**
   * Key-grouped by partition key (the exchange's key), as Flink's CepOperator keeps its NFA state and buffer in
   * keyed state, so a restore at another parallelism can split it. The watermark and the arrival counter are
   * union state: a rescaled subtask takes the minimum watermark (so it drops as late no row that the old subtask
   * with the lowest watermark would have kept) and the largest counter, so rows restored from several subtasks
   * still sort before the ones that arrive after the restore.
   */
  snapshotState(): Uint8Array {
    const sections = new KeyedSections(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
    for (const [k, ps] of this.state) sections.add('p', k, ps);
    return sections.encode(watermarkAndCounter(this.watermark, this.seq));
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    if (grouped === null) {
      const snap = deserialize(bytes) as Snapshot; // before key groups (same parallelism only)
      this.state = snap.state;
      this.watermark = snap.watermark;
      this.seq = snap.seq;
      return;
    }
    this.state = new Map((grouped.maps['p'] ?? []) as [Key, PartitionState][]);
    ({ watermark: this.watermark, counter: this.seq } = restoreWatermarkAndCounter(grouped.operatorState));
  }

  finish(): void {
    this.flush();
  }

  close(): void {}
}
