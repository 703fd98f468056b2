// Streaming Top-N under the harness: the exact changelogs of Flink's AppendOnlyTopNFunction and
// RetractableTopNFunction (flink-table-runtime, operators/rank), with and without the rank number column, with an
// offset (rankStart > 1), ties, retractions, a global Top-N, snapshot/restore, and a randomized check that the
// materialized changelog always equals the Top-N recomputed from scratch.
// Query shape from the Flink docs page "Top-N" (docs/dev/table/sql/queries/topn):
//   SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num
//   FROM ShopSales) WHERE row_num <= N
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, type HarnessEvent } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import type { RowKind } from '../../../executor/types/row-kind.js';
import { type RowKindShort } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { CellWriter, RankOperator, compareForOrder, type RankConfig } from '../../../executor/sql/rank.js';

const sales = Schema.of(['category', Types.STRING()], ['item', Types.STRING()], ['sales', Types.BIGINT()]);
const withRank = new Schema([...sales.fields, { name: 'row_num', type: Types.BIGINT(false) }]);

function topN(over: Partial<RankConfig> = {}): OperatorTestHarness {
  const outputRankNumber = over.outputRankNumber ?? false;
  const cfg: RankConfig = {
    name: 'Rank',
    inputSchema: sales,
    partitionKeys: [0],
    orderKeys: [{ col: 2, descending: true, nullsFirst: false }],
    rankType: 'ROW_NUMBER',
    rankStart: 1,
    rankEnd: 2,
    outputRankNumber,
    outputSchema: outputRankNumber ? withRank : sales,
    inputInsertOnly: true,
    generateUpdateBefore: true,
    ...over,
  };
  return new OperatorTestHarness(new RankOperator(cfg), { inputs: [sales] }).open();
}

/** `[kind, ...row]` of every record emitted. */
function changelog(h: OperatorTestHarness): Value[][] {
  return h.getOutput().flatMap((e: HarnessEvent) => (e.kind === 'record' ? [[e.rowKind, ...e.row]] : []));
}

function feed(h: OperatorTestHarness, rows: readonly [RowKindShort, string, string, number][]): void {
  const codes: Record<RowKindShort, RowKind> = { '+I': 0, '-U': 1, '+U': 2, '-D': 3 };
  for (const [k, c, i, s] of rows) h.processBatch(batchFromRows(sales, [[c, i, BigInt(s)]], [codes[k]]));
}

const ins = (rows: readonly [string, string, number][]): [RowKindShort, string, string, number][] =>
  rows.map(([c, i, s]) => ['+I', c, i, s]);

describe('RankOperator on an insert-only input (AppendOnlyTopNFunction)', () => {
  const input = ins([
    ['a', 'x', 10],
    ['a', 'y', 20],
    ['a', 'z', 15],
    ['a', 'w', 5], // behind the top 2: dropped without output
    ['b', 'q', 1],
    ['a', 'v', 15], // ties with z at the end of a full top 2: rejected
  ]);

  it('without the rank number emits inserts and deletes only', () => {
    const h = topN();
    feed(h, input);
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'x', 10n],
      ['+I', 'a', 'y', 20n],
      ['-D', 'a', 'x', 10n],
      ['+I', 'a', 'z', 15n],
      ['+I', 'b', 'q', 1n],
    ]);
  });

  it('with the rank number re-emits every row whose rank shifts', () => {
    const h = topN({ outputRankNumber: true });
    feed(h, [...input, ['+I', 'a', 'u', 30]]);
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'x', 10n, 1n],
      ['-U', 'a', 'x', 10n, 1n],
      ['+U', 'a', 'y', 20n, 1n],
      ['+I', 'a', 'x', 10n, 2n],
      ['-U', 'a', 'x', 10n, 2n],
      ['+U', 'a', 'z', 15n, 2n],
      ['+I', 'b', 'q', 1n, 1n],
      // v ties with z (rank 3): buffered, no output. u takes rank 1; y and z shift down, z leaves.
      ['-U', 'a', 'y', 20n, 1n],
      ['+U', 'a', 'u', 30n, 1n],
      ['-U', 'a', 'z', 15n, 2n],
      ['+U', 'a', 'y', 20n, 2n],
    ]);
  });

  it('leaves out -U when the sink does not need it', () => {
    const h = topN({ outputRankNumber: true, generateUpdateBefore: false });
    feed(h, input.slice(0, 2));
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'x', 10n, 1n],
      ['+U', 'a', 'y', 20n, 1n],
      ['+I', 'a', 'x', 10n, 2n],
    ]);
  });

  it('with an offset (rank 2..3) only ranks in the range reach the output, rank column or not', () => {
    const h = topN({ rankStart: 2, rankEnd: 3 });
    feed(
      h,
      ins([
        ['a', 'x', 10],
        ['a', 'y', 20], // x moves to rank 2
        ['a', 'z', 30], // y to 2, x to 3
        ['a', 'u', 25], // u at 2, y to 3, x out
      ]),
    );
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'x', 10n],
      ['-U', 'a', 'x', 10n],
      ['+U', 'a', 'y', 20n],
      ['+I', 'a', 'x', 10n],
      ['-U', 'a', 'y', 20n],
      ['+U', 'a', 'u', 25n],
      ['-U', 'a', 'x', 10n],
      ['+U', 'a', 'y', 20n],
    ]);
  });

  it('ranks ties by arrival and holds ascending NULLS FIRST/LAST positions', () => {
    const first = topN({
      outputRankNumber: true,
      rankEnd: 3,
      orderKeys: [{ col: 2, descending: false, nullsFirst: true }],
    });
    first.processBatch(
      batchFromRows(sales, [
        ['a', 'p', 7n],
        ['a', 'q', 7n],
        ['a', 'n', null],
      ]),
    );
    expect(changelog(first).slice(-3)).toEqual([
      ['-U', 'a', 'q', 7n, 2n],
      ['+U', 'a', 'p', 7n, 2n],
      ['+I', 'a', 'q', 7n, 3n],
    ]);
    const last = topN({
      outputRankNumber: true,
      rankEnd: 3,
      orderKeys: [{ col: 2, descending: true, nullsFirst: false }],
    });
    last.processBatch(
      batchFromRows(sales, [
        ['a', 'n', null],
        ['a', 'p', 7n],
        ['a', 'q', 7n],
      ]),
    );
    expect(changelog(last)).toEqual([
      ['+I', 'a', 'n', null, 1n],
      ['-U', 'a', 'n', null, 1n],
      ['+U', 'a', 'p', 7n, 1n],
      ['+I', 'a', 'n', null, 2n],
      ['-U', 'a', 'n', null, 2n],
      ['+U', 'a', 'q', 7n, 2n],
      ['+I', 'a', 'n', null, 3n],
    ]);
  });

  it('keeps only about N rows per partition', () => {
    const op = new RankOperator({
      name: 'Rank',
      inputSchema: sales,
      partitionKeys: [0],
      orderKeys: [{ col: 2, descending: true, nullsFirst: false }],
      rankType: 'ROW_NUMBER',
      rankStart: 1,
      rankEnd: 3,
      outputRankNumber: false,
      outputSchema: sales,
      inputInsertOnly: true,
      generateUpdateBefore: true,
    });
    const h = new OperatorTestHarness(op, { inputs: [sales] });
    h.processBatch(
      batchFromRows(
        sales,
        Array.from({ length: 1000 }, (_, i) => [`c${i % 2}`, `i${i}`, BigInt(i)]),
      ),
    );
    expect(op.stateSize()).toBe(6);
  });

  it('rejects a retraction on an input planned as insert-only', () => {
    const h = topN();
    expect(() => feed(h, [['-D', 'a', 'x', 1]])).toThrow(/insert-only/);
  });
});

describe('RankOperator on a changelog input (RetractableTopNFunction)', () => {
  // A global Top-2 (ORDER BY sales DESC LIMIT 2): no partition key.
  const input: [RowKindShort, string, string, number][] = [
    ['+I', '', 'a', 10],
    ['+I', '', 'b', 20],
    ['+I', '', 'c', 15],
    ['-D', '', 'b', 20], // a moves back into the top 2
    ['-U', '', 'a', 10],
    ['+U', '', 'a', 30],
  ];

  it('without the rank number: a retraction deletes the row and inserts the one that moves into the range', () => {
    const h = topN({ inputInsertOnly: false, partitionKeys: [] });
    feed(h, input);
    expect(changelog(h)).toEqual([
      ['+I', '', 'a', 10n],
      ['+I', '', 'b', 20n],
      ['-D', '', 'a', 10n],
      ['+I', '', 'c', 15n],
      ['-D', '', 'b', 20n],
      ['+I', '', 'a', 10n],
      ['-D', '', 'a', 10n],
      ['+I', '', 'a', 30n],
    ]);
  });

  it('with the rank number: rows after a retracted one move up a rank each', () => {
    const h = topN({ inputInsertOnly: false, partitionKeys: [], outputRankNumber: true });
    feed(h, input);
    expect(changelog(h)).toEqual([
      ['+I', '', 'a', 10n, 1n],
      ['-U', '', 'a', 10n, 1n],
      ['+U', '', 'b', 20n, 1n],
      ['+I', '', 'a', 10n, 2n],
      ['-U', '', 'a', 10n, 2n],
      ['+U', '', 'c', 15n, 2n],
      ['-U', '', 'b', 20n, 1n],
      ['+U', '', 'c', 15n, 1n],
      ['-U', '', 'c', 15n, 2n],
      ['+U', '', 'a', 10n, 2n],
      ['-D', '', 'a', 10n, 2n],
      ['-U', '', 'c', 15n, 1n],
      ['+U', '', 'a', 30n, 1n],
      ['+I', '', 'c', 15n, 2n],
    ]);
  });

  it('a retraction of a row outside the range only updates the state', () => {
    const h = topN({ inputInsertOnly: false, rankEnd: 1 });
    feed(h, [
      ['+I', 'a', 'x', 10],
      ['+I', 'a', 'y', 5],
      ['-D', 'a', 'y', 5],
      ['-D', 'a', 'x', 10],
      ['-D', 'a', 'nope', 1], // never inserted: ignored, as Flink does
    ]);
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'x', 10n],
      ['-D', 'a', 'x', 10n],
    ]);
  });

  it('restores its state and goes on from it', () => {
    const h = topN({ inputInsertOnly: false, outputRankNumber: true });
    feed(
      h,
      input.slice(0, 3).map(([k, , i, s]) => [k, 'a', i, s]),
    );
    const snap = h.snapshot();
    const cfg: RankConfig = {
      name: 'Rank',
      inputSchema: sales,
      partitionKeys: [0],
      orderKeys: [{ col: 2, descending: true, nullsFirst: false }],
      rankType: 'ROW_NUMBER',
      rankStart: 1,
      rankEnd: 2,
      outputRankNumber: true,
      outputSchema: withRank,
      inputInsertOnly: false,
      generateUpdateBefore: true,
    };
    const r = new OperatorTestHarness(new RankOperator(cfg), { inputs: [sales], restoreFrom: snap }).open();
    feed(r, [['-D', 'a', 'b', 20]]);
    expect(changelog(r)).toEqual([
      ['-U', 'a', 'b', 20n, 1n],
      ['+U', 'a', 'c', 15n, 1n],
      ['-U', 'a', 'c', 15n, 2n],
      ['+U', 'a', 'a', 10n, 2n],
    ]);
  });
});

describe('BIGINT beyond 2^53', () => {
  it('ranks and emits wide values exactly, next to exact-double ones from other batches', () => {
    const h = topN({ outputRankNumber: true, rankEnd: 2 });
    const big = 2n ** 60n;
    h.processBatch(batchFromRows(sales, [['a', 'small', 5n]]));
    h.processBatch(
      batchFromRows(sales, [
        ['a', 'huge', big],
        ['a', 'huge+1', big + 1n],
      ]),
    );
    h.processBatch(batchFromRows(sales, [['a', 'small2', 6n]])); // behind a full top 2
    expect(changelog(h)).toEqual([
      ['+I', 'a', 'small', 5n, 1n],
      ['-U', 'a', 'small', 5n, 1n],
      ['+U', 'a', 'huge', big, 1n],
      ['+I', 'a', 'small', 5n, 2n],
      ['-U', 'a', 'huge', big, 1n],
      ['+U', 'a', 'huge+1', big + 1n, 1n],
      ['-U', 'a', 'small', 5n, 2n],
      ['+U', 'a', 'huge', big, 2n],
    ]);
  });

  it('CellWriter widens a column when a value leaves the exact-double range, keeping earlier values and nulls', () => {
    const w = new CellWriter(Types.BIGINT());
    for (const v of [1, null, 3n, 2n ** 62n]) w.append(v);
    const c = w.finish();
    expect(c.kind).toBe('i64');
    expect(Array.from(c.kind === 'i64' ? c.values : [])).toEqual([1n, 0n, 3n, 2n ** 62n]);
    expect(c.validity?.[0]).toBe(0b1101);
    expect(compareForOrder(2n ** 62n, 5)).toBe(1);
    expect(compareForOrder(5, 5n)).toBe(0);
    expect(compareForOrder(Number.NaN, Infinity)).toBe(1);
  });
});

describe('RankOperator configuration', () => {
  it('rejects RANK and DENSE_RANK as Flink does on streaming tables', () => {
    expect(() => topN({ rankType: 'RANK' })).toThrow('RANK() on streaming table is not supported currently');
    expect(() => topN({ rankType: 'DENSE_RANK' })).toThrow(
      'DENSE_RANK() on streaming table is not supported currently',
    );
  });

  it('requires a rank end', () => {
    expect(() => topN({ rankEnd: Infinity })).toThrow(/Rank end is not specified/);
  });
});

describe('RankOperator against a recomputed Top-N', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  for (const insertOnly of [true, false]) {
    for (const outputRankNumber of [true, false]) {
      for (const rankStart of [1, 3]) {
        it(`insertOnly=${insertOnly} rank=${outputRankNumber} range=[${rankStart}, 4]`, () => {
          const rand = rng(17 + rankStart + (insertOnly ? 100 : 0) + (outputRankNumber ? 1000 : 0));
          const h = topN({ inputInsertOnly: insertOnly, outputRankNumber, rankStart, rankEnd: 4 });
          // Live input rows per category in arrival order (ties rank by arrival; a re-insert goes last).
          const live = new Map<string, [string, number][]>();
          const view: Value[][] = [];
          for (let step = 0; step < 400; step++) {
            const cat = rand() < 0.5 ? 'a' : 'b';
            const rows = live.get(cat) ?? [];
            live.set(cat, rows);
            const retract = !insertOnly && rows.length > 0 && rand() < 0.4;
            let kind: RowKindShort;
            let item: string;
            let s: number;
            if (retract) {
              [item, s] = rows[Math.floor(rand() * rows.length)] as [string, number];
              // Like Flink's RecordEqualiser, a retraction takes away the first row equal to it.
              rows.splice(
                rows.findIndex((r) => r[0] === item && r[1] === s),
                1,
              );
              kind = rand() < 0.5 ? '-D' : '-U';
            } else {
              item = `i${Math.floor(rand() * 6)}`;
              s = Math.floor(rand() * 8);
              rows.push([item, s]);
              kind = '+I';
            }
            h.clearOutput();
            feed(h, [[kind, cat, item, s]]);
            for (const e of h.getOutput()) {
              if (e.kind !== 'record') continue;
              if (e.rowKind === '+I' || e.rowKind === '+U') view.push(e.row);
              else {
                const at = view.findIndex((v) => JSON.stringify(v, big) === JSON.stringify(e.row, big));
                expect(at, `retracted ${JSON.stringify(e.row, big)} not in the view`).toBeGreaterThanOrEqual(
                  0,
                );
                view.splice(at, 1);
              }
            }
            const expected: Value[][] = [];
            for (const [c, rs] of live) {
              const sorted = rs.map((r, i) => ({ r, i })).sort((x, y) => y.r[1] - x.r[1] || x.i - y.i);
              sorted.forEach(({ r }, i) => {
                const rank = i + 1;
                if (rank >= rankStart && rank <= 4) {
                  expected.push(
                    outputRankNumber ? [c, r[0], BigInt(r[1]), BigInt(rank)] : [c, r[0], BigInt(r[1])],
                  );
                }
              });
            }
            const norm = (rows: Value[][]): string[] => rows.map((r) => JSON.stringify(r, big)).sort();
            expect(norm(view)).toEqual(norm(expected));
          }
        });
      }
    }
  }
});

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
