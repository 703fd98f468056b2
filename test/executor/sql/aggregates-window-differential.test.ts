// Randomised differential checks of the window operators against naive oracles, with random batches,
// watermarks, late rows and snapshot/restore at random points (the oracles follow Flink's slice processors and
// UnslicingWindowProcessor: a row counts in every window of it that has not fired when it arrives; a row whose
// windows have all fired is dropped and counted; SESSION windows merge when they touch, TimeWindow.intersects).
//  - WindowAggregateOperator: TUMBLE, HOP, CUMULATE (with offsets) and SESSION, SUM/COUNT/MAX/COUNT DISTINCT.
//  - WindowTableFunctionOperator: every window of a row for aligned windows (AlignedWindowTableFunctionOperator
//    keeps late rows), buffered SESSION rows emitted when their session fires.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import type { AggCall } from '../../../executor/sql/aggregates.js';
import { WindowAggregateOperator } from '../../../executor/sql/window-aggregate.js';
import type { WindowSpec } from '../../../executor/sql/slices.js';
import { WindowTableFunctionOperator } from '../../../executor/sql/window-table-function.js';

// WindowAggregateOperator
{
  const IN = Schema.of(
    ['ts', Types.TIMESTAMP(3, true, 'rowtime')],
    ['k', Types.STRING()],
    ['v', Types.BIGINT()],
  );
  const AGGS: AggCall[] = [
    { kind: 'SUM', args: [2], distinct: false, filterArg: -1, resultType: Types.BIGINT(), name: 's' },
    { kind: 'COUNT', args: [], distinct: false, filterArg: -1, resultType: Types.BIGINT(false), name: 'c' },
    { kind: 'MAX', args: [2], distinct: false, filterArg: -1, resultType: Types.BIGINT(), name: 'm' },
    { kind: 'COUNT', args: [2], distinct: true, filterArg: -1, resultType: Types.BIGINT(false), name: 'd' },
  ];
  const OUT = Schema.of(
    ['k', Types.STRING()],
    ['s', Types.BIGINT()],
    ['c', Types.BIGINT(false)],
    ['m', Types.BIGINT()],
    ['d', Types.BIGINT(false)],
    ['window_start', Types.TIMESTAMP(3, false)],
    ['window_end', Types.TIMESTAMP(3, false)],
    ['window_time', Types.TIMESTAMP(3, false, 'rowtime')],
  );

  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  function windowsOf(spec: WindowSpec, ts: number): Array<[number, number]> {
    const start = (t: number, size: number, off: number): number => t - ((((t - off) % size) + size) % size);
    switch (spec.kind) {
      case 'TUMBLE': {
        const s = start(ts, spec.size, spec.offset);
        return [[s, s + spec.size]];
      }
      case 'HOP': {
        const out: Array<[number, number]> = [];
        for (let s = start(ts, spec.slide, spec.offset); s > ts - spec.size; s -= spec.slide)
          out.push([s, s + spec.size]);
        return out;
      }
      case 'CUMULATE': {
        const s = start(ts, spec.maxSize, spec.offset);
        const out: Array<[number, number]> = [];
        for (let e = start(ts, spec.step, spec.offset) + spec.step; e <= s + spec.maxSize; e += spec.step)
          out.push([s, e]);
        return out;
      }
      default:
        throw new Error('no');
    }
  }

  type Step = { kind: 'rows'; rows: Value[][] } | { kind: 'wm'; wm: number } | { kind: 'snapshot' };

  function sessionOracle(gap: number, steps: Step[]): { rows: string[]; dropped: number } {
    let wm = -Infinity;
    const byKey = new Map<string, Array<{ s: number; e: number; vals: bigint[] }>>();
    const emitted: string[] = [];
    let dropped = 0;
    let round = 0;
    for (const st of steps) {
      if (st.kind === 'rows') {
        for (const r of st.rows) {
          const k = r[1] as string;
          const ts = r[0] as number;
          const list = byKey.get(k) ?? [];
          const touch = list.filter((x) => x.s <= ts + gap && x.e >= ts);
          const s = Math.min(ts, ...touch.map((x) => x.s));
          const e = Math.max(ts + gap, ...touch.map((x) => x.e));
          if (wm >= e - 1) {
            dropped++;
            continue;
          }
          const merged = { s, e, vals: [...touch.flatMap((x) => x.vals), r[2] as bigint] };
          byKey.set(k, [...list.filter((x) => !touch.includes(x)), merged]);
        }
      } else if (st.kind === 'wm' && st.wm > wm) {
        wm = st.wm;
        round++;
        for (const [k, list] of byKey) {
          for (const w of list.filter((x) => wm >= x.e - 1)) {
            const sum = w.vals.reduce((a, b) => a + b, 0n);
            const max = w.vals.reduce((a, b) => (b > a ? b : a));
            emitted.push(
              `${round}|${String(w.e).padStart(16, '0')}|${k}|${sum}|${w.vals.length}|${max}|${new Set(w.vals).size}|${w.s}|${w.e - 1}`,
            );
          }
          byKey.set(
            k,
            list.filter((x) => !(wm >= x.e - 1)),
          );
        }
      }
    }
    return { rows: emitted.sort(), dropped };
  }

  function oracle(spec: WindowSpec, steps: Step[]): { rows: string[]; dropped: number } {
    if (spec.kind === 'SESSION') return sessionOracle(spec.gap, steps);
    let wm = -Infinity;
    const wins = new Map<string, { k: string; s: number; e: number; vals: bigint[] }>();
    const emitted: string[] = [];
    let dropped = 0;
    let round = 0;
    for (const st of steps) {
      if (st.kind === 'rows') {
        for (const r of st.rows) {
          const ts = r[0] as number;
          const open = windowsOf(spec, ts).filter(([, e]) => !(wm >= e - 1));
          if (open.length === 0) {
            dropped++;
            continue;
          }
          for (const [s, e] of open) {
            const id = `${r[1]}|${s}|${e}`;
            let w = wins.get(id);
            if (w === undefined) wins.set(id, (w = { k: r[1] as string, s, e, vals: [] }));
            w.vals.push(r[2] as bigint);
          }
        }
      } else if (st.kind === 'wm') {
        if (st.wm > wm) {
          wm = st.wm;
          round++;
          const due = [...wins.entries()].filter(([, w]) => wm >= w.e - 1);
          for (const [id, w] of due) {
            wins.delete(id);
            const sum = w.vals.reduce((a, b) => a + b, 0n);
            const max = w.vals.reduce((a, b) => (b > a ? b : a));
            emitted.push(
              `${round}|${String(w.e).padStart(16, '0')}|${w.k}|${sum}|${w.vals.length}|${max}|${new Set(w.vals).size}|${w.s}|${w.e - 1}`,
            );
          }
        }
      }
    }
    return { rows: emitted.sort(), dropped };
  }

  function runOperator(spec: WindowSpec, steps: Step[]): { rows: string[]; dropped: number } {
    const mk = (): WindowAggregateOperator =>
      new WindowAggregateOperator({
        name: 'W',
        inputSchema: IN,
        keys: [1],
        aggs: AGGS,
        window: spec,
        timeCol: 0,
        outputSchema: OUT,
      });
    let h = new OperatorTestHarness(mk(), { inputs: [IN] });
    const out: string[] = [];
    let dropped = 0;
    let round = 0;
    let wm = -Infinity;
    const collect = (): void => {
      for (const e of h.getOutput()) {
        if (e.kind !== 'record') continue;
        const r = e.row;
        expect(e.rowKind).toBe('+I');
        out.push(
          `${round}|${String(r[6]).padStart(16, '0')}|${r[0]}|${r[1]}|${r[2]}|${r[3]}|${r[4]}|${r[5]}|${r[7]}`,
        );
      }
      h.clearOutput();
    };
    for (const st of steps) {
      if (st.kind === 'rows') h.processElements(st.rows.map((r) => [r, null] as [Value[], null]));
      else if (st.kind === 'wm') {
        if (st.wm > wm) {
          wm = st.wm;
          round++;
        }
        h.processWatermark(st.wm);
        collect();
      } else {
        collect();
        dropped += h.metrics.get('numLateRecordsDropped');
        const snap = h.snapshot();
        h = new OperatorTestHarness(mk(), { inputs: [IN], restoreFrom: snap });
      }
    }
    collect();
    dropped += h.metrics.get('numLateRecordsDropped');
    return { rows: out.sort(), dropped };
  }

  const SPECS: WindowSpec[] = [
    { kind: 'TUMBLE', size: 10, offset: 0 },
    { kind: 'TUMBLE', size: 10, offset: 3 },
    { kind: 'HOP', size: 10, slide: 5, offset: 0 },
    { kind: 'HOP', size: 12, slide: 3, offset: 1 },
    { kind: 'HOP', size: 4, slide: 4, offset: 0 },
    { kind: 'CUMULATE', maxSize: 12, step: 3, offset: 0 },
    { kind: 'CUMULATE', maxSize: 10, step: 2, offset: -4 },
    { kind: 'SESSION', gap: 3 },
    { kind: 'SESSION', gap: 7 },
  ];

  describe('WindowAggregateOperator vs oracle (random)', () => {
    for (const spec of SPECS) {
      it(JSON.stringify(spec), () => {
        for (let seed = 1; seed <= 60; seed++) {
          const rand = rng(seed * 7919 + spec.kind.length);
          const steps: Step[] = [];
          let wm = -5;
          for (let i = 0; i < 25; i++) {
            const x = rand();
            if (x < 0.6) {
              const n = 1 + Math.floor(rand() * 6);
              const rows: Value[][] = [];
              for (let j = 0; j < n; j++) {
                // mostly around the watermark, some late
                const ts = Math.max(-20, Math.floor(wm + (rand() - 0.3) * 25));
                rows.push([
                  ts,
                  `k${Math.floor(rand() * 3)}`,
                  BigInt(Math.floor(rand() * 5)) * (rand() < 0.1 ? 2n ** 55n : 1n),
                ]);
              }
              steps.push({ kind: 'rows', rows });
            } else if (x < 0.9) {
              wm += Math.floor(rand() * 8) - 1;
              steps.push({ kind: 'wm', wm });
            } else {
              steps.push({ kind: 'snapshot' });
            }
          }
          steps.push({ kind: 'wm', wm: Number.MAX_SAFE_INTEGER });
          const want = oracle(spec, steps);
          const got = runOperator(spec, steps);
          expect(got.rows, `seed ${seed}`).toEqual(want.rows);
          expect(got.dropped, `seed ${seed} dropped`).toBe(want.dropped);
        }
      });
    }
  });
}

// WindowTableFunctionOperator
{
  const IN = Schema.of(
    ['ts', Types.TIMESTAMP(3, true, 'rowtime')],
    ['k', Types.STRING()],
    ['id', Types.INT()],
  );
  const OUT = Schema.of(
    ['ts', Types.TIMESTAMP(3)],
    ['k', Types.STRING()],
    ['id', Types.INT()],
    ['window_start', Types.TIMESTAMP(3, false)],
    ['window_end', Types.TIMESTAMP(3, false)],
    ['window_time', Types.TIMESTAMP(3, false, 'rowtime')],
  );
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  }
  type Step = { kind: 'rows'; rows: Value[][] } | { kind: 'wm'; wm: number } | { kind: 'snapshot' };
  const st = (t: number, size: number, off: number): number => t - ((((t - off) % size) + size) % size);

  function alignedOracle(spec: WindowSpec, steps: Step[]): string[] {
    const out: string[] = [];
    for (const s of steps) {
      if (s.kind !== 'rows') continue;
      for (const r of s.rows) {
        const ts = r[0] as number;
        const wins: Array<[number, number]> = [];
        if (spec.kind === 'TUMBLE')
          wins.push([st(ts, spec.size, spec.offset), st(ts, spec.size, spec.offset) + spec.size]);
        if (spec.kind === 'HOP')
          for (let a = st(ts, spec.slide, spec.offset); a > ts - spec.size; a -= spec.slide)
            wins.push([a, a + spec.size]);
        if (spec.kind === 'CUMULATE') {
          const a = st(ts, spec.maxSize, spec.offset);
          for (let e = st(ts, spec.step, spec.offset) + spec.step; e <= a + spec.maxSize; e += spec.step)
            wins.push([a, e]);
        }
        for (const [a, e] of wins) out.push(`${r[2]}|${a}|${e}|${e - 1}`);
      }
    }
    return out.sort();
  }

  function sessionOracle(gap: number, steps: Step[]): { rows: string[]; dropped: number } {
    let wm = -Infinity;
    let round = 0;
    const byKey = new Map<string, Array<{ s: number; e: number; ids: number[] }>>();
    const out: string[] = [];
    let dropped = 0;
    for (const s of steps) {
      if (s.kind === 'rows') {
        for (const r of s.rows) {
          const k = r[1] as string;
          const ts = r[0] as number;
          const list = byKey.get(k) ?? [];
          const touch = list.filter((x) => x.s <= ts + gap && x.e >= ts);
          const a = Math.min(ts, ...touch.map((x) => x.s));
          const e = Math.max(ts + gap, ...touch.map((x) => x.e));
          if (wm >= e - 1) {
            dropped++;
            continue;
          }
          byKey.set(k, [
            ...list.filter((x) => !touch.includes(x)),
            { s: a, e, ids: [...touch.flatMap((x) => x.ids), r[2] as number] },
          ]);
        }
      } else if (s.kind === 'wm' && s.wm > wm) {
        wm = s.wm;
        round++;
        for (const [k, list] of byKey) {
          for (const w of list.filter((x) => wm >= x.e - 1))
            for (const id of w.ids) out.push(`${round}|${id}|${w.s}|${w.e}|${w.e - 1}`);
          byKey.set(
            k,
            list.filter((x) => !(wm >= x.e - 1)),
          );
        }
      }
    }
    return { rows: out.sort(), dropped };
  }

  function run(spec: WindowSpec, steps: Step[]): { rows: string[]; dropped: number } {
    const mk = (): WindowTableFunctionOperator =>
      new WindowTableFunctionOperator({
        name: 'TVF',
        inputSchema: IN,
        window: spec,
        timeCol: 0,
        outputSchema: OUT,
        ...(spec.kind === 'SESSION' ? { partitionKeys: [1] } : {}),
      });
    let h = new OperatorTestHarness(mk(), { inputs: [IN] });
    const out: string[] = [];
    let dropped = 0;
    let round = 0;
    let wm = -Infinity;
    const collect = (): void => {
      for (const e of h.getOutput()) {
        if (e.kind !== 'record') continue;
        const r = e.row;
        out.push(
          spec.kind === 'SESSION'
            ? `${round}|${r[2]}|${r[3]}|${r[4]}|${r[5]}`
            : `${r[2]}|${r[3]}|${r[4]}|${r[5]}`,
        );
      }
      h.clearOutput();
    };
    for (const s of steps) {
      if (s.kind === 'rows') {
        h.processElements(s.rows.map((r) => [r, null] as [Value[], null]));
        collect();
      } else if (s.kind === 'wm') {
        if (s.wm > wm) {
          wm = s.wm;
          round++;
        }
        h.processWatermark(s.wm);
        collect();
      } else {
        collect();
        dropped += h.metrics.get('numLateRecordsDropped');
        h = new OperatorTestHarness(mk(), { inputs: [IN], restoreFrom: h.snapshot() });
      }
    }
    collect();
    dropped += h.metrics.get('numLateRecordsDropped');
    return { rows: out.sort(), dropped };
  }

  const SPECS: WindowSpec[] = [
    { kind: 'TUMBLE', size: 10, offset: 4 },
    { kind: 'HOP', size: 10, slide: 3, offset: 0 },
    { kind: 'CUMULATE', maxSize: 12, step: 4, offset: 0 },
    { kind: 'SESSION', gap: 3 },
    { kind: 'SESSION', gap: 6 },
  ];

  describe('WindowTableFunctionOperator vs oracle (random)', () => {
    for (const spec of SPECS) {
      it(JSON.stringify(spec), () => {
        for (let seed = 1; seed <= 60; seed++) {
          const rand = rng(seed * 104729 + spec.kind.length);
          const steps: Step[] = [];
          let wm = -5;
          let id = 0;
          for (let i = 0; i < 25; i++) {
            const x = rand();
            if (x < 0.6) {
              const rows: Value[][] = [];
              for (let j = 0, n = 1 + Math.floor(rand() * 6); j < n; j++) {
                rows.push([
                  Math.max(-20, Math.floor(wm + (rand() - 0.3) * 25)),
                  `k${Math.floor(rand() * 3)}`,
                  id++,
                ]);
              }
              steps.push({ kind: 'rows', rows });
            } else if (x < 0.9) {
              wm += Math.floor(rand() * 8) - 1;
              steps.push({ kind: 'wm', wm });
            } else steps.push({ kind: 'snapshot' });
          }
          steps.push({ kind: 'wm', wm: Number.MAX_SAFE_INTEGER });
          const got = run(spec, steps);
          if (spec.kind === 'SESSION') {
            const want = sessionOracle(spec.gap, steps);
            expect(got.rows, `seed ${seed}`).toEqual(want.rows);
            expect(got.dropped, `seed ${seed}`).toBe(want.dropped);
          } else {
            expect(got.rows, `seed ${seed}`).toEqual(alignedOracle(spec, steps));
            expect(got.dropped).toBe(0);
          }
        }
      });
    }
  });
}
