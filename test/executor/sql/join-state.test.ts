// The regular join's columnar side state (executor/sql/join-state.ts): rows go in from a batch's columns and
// come back as the values the join emits, for every storage class (numbers, wide BIGINTs, strings, other
// values); chains keep arrival order per key through removals; freed row indexes are reused.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { JoinSideState, NONE } from '../../../executor/sql/join-state.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';

const S = Schema.of(
  ['b', Types.BOOLEAN()],
  ['n', Types.BIGINT()],
  ['s', Types.STRING()],
  ['d', Types.DOUBLE()],
  ['t', Types.TIMESTAMP(6)],
  ['a', Types.ARRAY(Types.INT())],
);

/** The rows of `key` in chain order, as values. */
function chain(st: JoinSideState, key: number): Value[][] {
  const out: Value[][] = [];
  for (let i = st.first(key); i !== NONE; i = st.next(i)) out.push(st.row(i));
  return out;
}

function add(st: JoinSideState, key: number, rows: Value[][]): number[] {
  const batch = batchFromRows(
    S,
    rows,
    rows.map(() => RowKind.INSERT),
  );
  return rows.map((_, r) => st.add(key, batch, r, -1, 0));
}

describe('join side state', () => {
  it('reads back every storage class as the join emits it', () => {
    const st = new JoinSideState(S, false);
    const rows: Value[][] = [
      [true, 5n, 'plain ascii', 1.5, 1_000_000n, [1, 2]],
      [false, 2n ** 60n, 'é and 😀', -0.25, null, null],
      [null, null, null, null, 123_456_789n, []],
      [true, -(2n ** 53n), '', Number.NaN, 0n, [null]],
      [false, 7n, '\ud800 lone surrogate', 2, 1n, [3]],
    ];
    add(st, 1, rows);
    // BIGINT in the exact-double range reads back as a number (column builders and identities take both).
    expect(chain(st, 1)).toEqual([
      [true, 5, 'plain ascii', 1.5, 1_000_000n, [1, 2]],
      [false, 2n ** 60n, 'é and 😀', -0.25, null, null],
      [null, null, null, null, 123_456_789n, []],
      [true, -(2 ** 53), '', Number.NaN, 0n, [null]],
      [false, 7, '\ud800 lone surrogate', 2, 1n, [3]],
    ]);
    expect(st.size).toBe(5);
  });

  it('keeps each key in arrival order through removals and reuses freed indexes', () => {
    const st = new JoinSideState(S, false);
    const row = (s: string): Value[] => [true, 1n, s, 0, null, null];
    const [a, b, c] = add(st, 1, [row('a'), row('b'), row('c')]) as [number, number, number];
    add(st, 2, [row('x')]);
    st.remove(b);
    expect(chain(st, 1).map((r) => r[2])).toEqual(['a', 'c']);
    st.remove(a);
    st.remove(c);
    expect(st.first(1)).toBe(NONE);
    const [d] = add(st, 1, [row('d')]) as [number];
    expect([a, b, c]).toContain(d);
    expect(chain(st, 1).map((r) => r[2])).toEqual(['d']);
    expect(chain(st, 2).map((r) => r[2])).toEqual(['x']);
    expect(st.size).toBe(2);
  });

  it('counted sides keep multiplicity, match count and write time', () => {
    const st = new JoinSideState(S, true);
    const i = st.addValues(3, [true, 1n, 'r', 0, null, null], 2, 4, 99);
    expect([st.count(i), st.assoc(i), st.time(i), st.size]).toEqual([2, 4, 99, 2]);
    st.setCount(i, 3);
    st.setAssoc(i, 0, 100);
    expect([st.count(i), st.assoc(i), st.time(i), st.size]).toEqual([3, 0, 100, 3]);
    expect([...st.entries()]).toEqual([
      { key: 3, row: [true, 1, 'r', 0, null, null], count: 3, assoc: 0, time: 100 },
    ]);
  });

  it('finds every key through growth and removals, as a Map would (number keys, -0, NaN, strings, NULL)', () => {
    const T = Schema.of(['v', Types.INT()]);
    const st = new JoinSideState(T, false);
    const model = new Map<unknown, number[]>();
    const where = new Map<number, { key: unknown; v: number }>();
    let seed = 7;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const keyOf = (x: number): number | string | null =>
      x < 0.05
        ? null
        : x < 0.1
          ? `s${Math.floor(x * 100)}`
          : x < 0.12
            ? -0
            : x < 0.14
              ? Number.NaN
              : Math.floor(x * 5000) * 1.5;
    for (let step = 0; step < 20_000; step++) {
      if (rand() < 0.7 || where.size === 0) {
        const key = keyOf(rand());
        const batch = batchFromRows(T, [[step]], [RowKind.INSERT]);
        const i = st.add(key, batch, 0, -1, 0);
        where.set(i, { key, v: step });
        const k = Object.is(key, -0) ? 0 : key;
        model.set(k, [...(model.get(k) ?? []), step]);
      } else {
        const idx = [...where.keys()][Math.floor(rand() * where.size)] as number;
        const { key, v } = where.get(idx) as { key: unknown; v: number };
        st.remove(idx);
        where.delete(idx);
        const k = Object.is(key, -0) ? 0 : key;
        const left = (model.get(k) as number[]).filter((x) => x !== v);
        if (left.length === 0) model.delete(k);
        else model.set(k, left);
      }
    }
    for (const [k, vs] of model) {
      const got: Value[] = [];
      for (let i = st.first(k as number); i !== NONE; i = st.next(i)) got.push(st.cell(i, 0));
      expect(got).toEqual(vs);
    }
    expect(st.first(-0)).toBe(st.first(0));
    expect(new Set(st.keys().map((k) => (Number.isNaN(k) ? 'NaN' : k)))).toEqual(
      new Set([...model.keys()].map((k) => (Number.isNaN(k) ? 'NaN' : k))),
    );
    expect(st.first(123_456.5)).toBe(NONE);
  });
});
