// The regular join's columnar side state (executor/sql/join-state.ts): rows go in from a batch's columns and
// come back as the values the join emits, for every storage class (numbers, the string pool and its fallbacks,
// wide BIGINTs, other values); chains keep arrival order per key through removals; freed row indexes are
// reused; the string pool is rewritten when most of it is dead and the live rows still read back.
import { describe, expect, it } from 'vitest';
import { batchFromRows, makeBatch } from '../../../executor/batch/batch.js';
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

  it('rewrites the string pool once most of it is dead, and the live rows still read back', () => {
    const T = Schema.of(['k', Types.INT()], ['s', Types.STRING()]);
    const st = new JoinSideState(T, false);
    const n = 40_000;
    const text = (i: number): string => `${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)));
    const batch = makeBatch(
      T,
      [
        { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => i % 7), validity: null },
        { kind: 'str', values: Array.from({ length: n }, (_, i) => text(i)), validity: null },
      ],
      n,
    );
    const idx = Array.from({ length: n }, (_, r) => st.add(r % 7, batch, r, -1, 0));
    expect(st.stringBytes()).toBeGreaterThan(39_000_000);
    // 40 MB of strings; removing all but every 100th row leaves 0.4 MB live and triggers the rewrite.
    for (let r = 0; r < n; r++) if (r % 100 !== 0) st.remove(idx[r] as number);
    expect(st.size).toBe(n / 100);
    expect(st.stringBytes()).toBeLessThan(16 * 2 ** 20 + 400_000);
    for (let r = 0; r < n; r += 100) expect(st.row(idx[r] as number)).toEqual([r % 7, text(r)]);
    // Rows added after the rewrite land in the new pool.
    const more = st.add(0, batch, 1, -1, 0);
    expect(st.row(more)).toEqual([1, text(1)]);
  });
});
