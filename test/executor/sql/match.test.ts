// MatchRecognizeOperator under the harness (Flink's CepOperator test style: rows, watermarks, snapshot, restore)
// and MATCH_RECOGNIZE validation through SQL. The exact changelogs of the docs page "Pattern Recognition" are in
// test/slt/match-recognize.slt; here: event-time buffering and late rows, the rule that a completed match waits
// for an earlier partial match (NFA.processMatchesAccordingToSkipStrategy), state surviving a restore, the runtime
// errors of AFTER MATCH SKIP TO FIRST, and the refusals Flink's docs list under "Known Limitations".
import { describe, expect, it } from 'vitest';
import { batchFromRows, makeBatch, type RecordBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { MatchRecognizeOperator, type AfterMatchSkip, type MatchSlot } from '../../../executor/sql/match.js';
import type { MatchPattern } from '../../../executor/sql/match-pattern.js';
import { compileNfa } from '../../../executor/sql/match-pattern.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import { TableEnvironment } from '../../../index.js';

const IN = Schema.of(['k', Types.STRING()], ['ts', Types.TIMESTAMP(3)], ['price', Types.BIGINT()]);
const OUT = Schema.of(
  ['k', Types.STRING()],
  ['first', Types.BIGINT()],
  ['last', Types.BIGINT()],
  ['n', Types.BIGINT()],
);
const PRICE = Schema.of(['price', Types.BIGINT()]);

/** Variables defined by a predicate on the candidate row's price (slot: LAST(V.price, 0) = the candidate). */
function operator(
  pattern: MatchPattern,
  preds: Record<string, (price: number) => boolean>,
  after: AfterMatchSkip = { kind: 'pastLastRow' },
  withinMs: number | null = null,
): MatchRecognizeOperator {
  const defines = new Map(
    Object.entries(preds).map(([v, pred]) => [
      v,
      {
        slots: [{ kind: 'nav', variable: v, mode: 'LAST', offset: 0, physical: 0, expr: 0 } as MatchSlot],
        slotSchema: PRICE,
        condition: (b: RecordBatch): Uint8Array =>
          Uint8Array.from({ length: b.length }, (_x, i) =>
            pred(Number((b.columns[0] as { values: ArrayLike<number> }).values[i])) ? 1 : 0,
          ),
      },
    ]),
  );
  const slots: MatchSlot[] = [
    { kind: 'nav', variable: null, mode: 'FIRST', offset: 0, physical: 0, expr: 0 },
    { kind: 'nav', variable: null, mode: 'LAST', offset: 0, physical: 0, expr: 0 },
    { kind: 'matchNumber' },
  ];
  return new MatchRecognizeOperator({
    name: 'Match',
    inputSchema: IN,
    partitionKeys: [0],
    timeCol: 1,
    isRowtime: true,
    secondary: [],
    pattern,
    withinMs,
    after,
    rowExprs: (b) => makeBatch(PRICE, [b.columns[2] as RecordBatch['columns'][number]], b.length),
    defines,
    measures: { slots, slotSchema: OUT, project: (b) => b },
    outputSchema: OUT,
  });
}

const v = (name: string, min = 1, max = 1, greedy = true): MatchPattern => ({
  kind: 'var',
  name,
  min,
  max,
  greedy,
});
const seq = (...items: MatchPattern[]): MatchPattern => ({ kind: 'seq', items });

function rows(h: OperatorTestHarness, ...rs: [string, number, number][]): OperatorTestHarness {
  return h.processBatch(
    batchFromRows(
      IN,
      rs.map(([k, t, p]) => [k, t, p] as Value[]),
    ),
  );
}

function out(h: OperatorTestHarness): string[] {
  const r = h
    .getOutput()
    .map((e) =>
      e.kind === 'record'
        ? `${e.rowKind}[${e.row.join(', ')}]`
        : e.kind === 'watermark'
          ? `wm ${e.timestamp}`
          : 'status',
    );
  h.clearOutput();
  return r;
}

describe('MatchRecognizeOperator', () => {
  it('buffers rows until the watermark, matches them in rowtime order and drops late rows', () => {
    const h = new OperatorTestHarness(
      operator(seq(v('A'), v('B')), { A: (p) => p < 10, B: (p) => p >= 10 }),
      { inputs: [IN] },
    ).open();
    rows(h, ['x', 2000, 20], ['x', 1000, 5], ['y', 1500, 1]);
    expect(out(h)).toEqual([]);
    h.processWatermark(1999);
    expect(out(h)).toEqual(['wm 1999']); // 20 (at 2000) is not ready: x's A waits
    h.processWatermark(2000);
    expect(out(h)).toEqual(['+I[x, 5, 20, 1]', 'wm 2000']);
    rows(h, ['y', 1800, 30], ['y', 2500, 30]); // 1800 is behind the watermark: late
    h.processWatermark(3000);
    expect(out(h)).toEqual(['+I[y, 1, 30, 1]', 'wm 3000']);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
  });

  it('holds a completed match while a partial match that started earlier is alive, then lets it prune', () => {
    // (X1 X2 X3 X4) | (Y2 Y3): the match starting at row 2 completes at row 3 while the one starting at row 1 is
    // still alive. Flink's NFA emits matches in order of their first row, so the later one waits; when the earlier
    // completes it goes first and SKIP PAST LAST ROW prunes the waiting one. If the earlier dies, the later goes.
    const is = (n: number) => (x: number) => x === n;
    const p: MatchPattern = {
      kind: 'alt',
      items: [seq(v('X1'), v('X2'), v('X3'), v('X4')), seq(v('Y2'), v('Y3'))],
    };
    const preds = { X1: is(1), X2: is(2), X3: is(3), X4: is(4), Y2: is(2), Y3: is(3) };
    const h = new OperatorTestHarness(operator(p, preds), { inputs: [IN] }).open();
    rows(h, ['k', 1, 1], ['k', 2, 2], ['k', 3, 3]);
    h.processWatermark(3);
    expect(out(h)).toEqual(['wm 3']);
    rows(h, ['k', 4, 4]);
    h.processWatermark(4);
    expect(out(h)).toEqual(['+I[k, 1, 4, 1]', 'wm 4']);
    const h2 = new OperatorTestHarness(operator(p, preds), { inputs: [IN] }).open();
    rows(h2, ['k', 1, 1], ['k', 2, 2], ['k', 3, 3], ['k', 4, 5]);
    h2.processWatermark(4);
    expect(out(h2)).toEqual(['+I[k, 2, 3, 1]', 'wm 4']);
  });

  it('keeps partial matches, pending rows and match numbers across a snapshot and restore', () => {
    const make = (): MatchRecognizeOperator =>
      operator(seq(v('A'), v('B', 1, Infinity, false), v('C')), {
        A: (x) => x < 5,
        B: (x) => x >= 5 && x < 50,
        C: (x) => x >= 50,
      });
    const h = new OperatorTestHarness(make(), { inputs: [IN] }).open();
    rows(h, ['k', 1, 1], ['k', 2, 7], ['k', 3, 80], ['k', 4, 2], ['k', 5, 6]);
    h.processWatermark(4);
    expect(out(h)).toEqual(['+I[k, 1, 80, 1]', 'wm 4']);
    rows(h, ['k', 7, 90]); // pending (after the watermark)
    const snap = h.snapshot();
    const restored = new OperatorTestHarness(make(), { inputs: [IN], restoreFrom: snap }).open();
    restored.processWatermark(10);
    expect(out(restored)).toEqual(['+I[k, 2, 90, 2]', 'wm 10']);
  });

  it('WITHIN drops partial matches that cannot finish in time', () => {
    const h = new OperatorTestHarness(
      operator(
        seq(v('A'), v('B', 1, Infinity), v('C')),
        { A: (x) => x < 5, B: (x) => x >= 5 && x < 50, C: (x) => x >= 50 },
        { kind: 'pastLastRow' },
        1000,
      ),
      { inputs: [IN] },
    ).open();
    rows(h, ['k', 0, 1], ['k', 500, 6], ['k', 1001, 60], ['k', 2000, 2], ['k', 2500, 7], ['k', 3000, 60]);
    h.processWatermark(5000);
    // 0 → 1001 is longer than 1 s; 2000 → 3000 is exactly 1 s (the docs' example keeps a match of exactly WITHIN).
    expect(out(h)).toEqual(['+I[k, 2, 60, 1]', 'wm 5000']);
  });

  it('AFTER MATCH SKIP TO FIRST a variable fails at run time when it would restart at the same row', () => {
    const h = new OperatorTestHarness(
      operator(
        seq(v('A', 1, Infinity, false), v('C')),
        { A: (x) => x < 5, C: (x) => x >= 5 },
        { kind: 'toFirst', variable: 'A' },
      ),
      { inputs: [IN] },
    ).open();
    rows(h, ['k', 1, 1], ['k', 2, 9]);
    expect(() => h.processWatermark(10)).toThrow(/Could not skip to first element of a match/);
  });

  it('compiles quantifiers into takes and splits', () => {
    const nfa = compileNfa(seq(v('A', 2, 3), v('B')));
    expect(
      nfa.nodes.filter((n) => n.kind === 'take').map((n) => (n as { variable: string }).variable),
    ).toEqual(['B', 'A', 'A', 'A']);
  });
});

describe('MATCH_RECOGNIZE validation', () => {
  const env = TableEnvironment.create();
  env.executeSql(
    "CREATE TABLE t (k STRING, ts TIMESTAMP(3), price BIGINT, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')",
  );
  const plan = (body: string, order = 'ORDER BY ts'): string => {
    try {
      env.explainSql(
        `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY k ${order} MEASURES A.price AS p ${body})`,
      );
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('plans a pattern and shows it in EXPLAIN', () => {
    const text = env.explainSql(
      "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES LAST(A.price) AS p AFTER MATCH SKIP TO NEXT ROW PATTERN (A+? B) WITHIN INTERVAL '10' SECOND DEFINE A AS A.price > PREV(A.price))",
    );
    expect(text).toContain(
      'StreamMatch(partitionBy=[k], orderBy=[ts ASC], measures=[FINAL(LAST(A.price)) AS p], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP TO NEXT ROW], pattern=[A+? B], within=[10 s], define=[{A=>(A.price, PREV(A.price))}]',
    );
    expect(text).toContain('StreamExchange(distribution=[hash[k]]');
  });

  it('refuses what Flink refuses, naming it', () => {
    expect(plan('ALL ROWS PER MATCH PATTERN (A B) DEFINE A AS price > 0')).toMatch(/ALL ROWS PER MATCH/);
    expect(plan('PATTERN (A*) DEFINE A AS price > 0')).toMatch(/empty match/);
    expect(plan('PATTERN (A B*) DEFINE A AS price > 0')).toMatch(/greedy quantifier on the last element/);
    expect(plan('PATTERN (A?? B) DEFINE A AS price > 0')).toMatch(/reluctant optional quantifier/);
    expect(plan('PATTERN (A B) DEFINE A AS price > 0', 'ORDER BY price')).toMatch(
      /rowtime or proctime for order by/,
    );
    expect(plan('PATTERN (A B) DEFINE C AS price > 0')).toMatch(/Unknown pattern variable 'C'/);
    expect(plan('PATTERN (A B) DEFINE A AS AVG(DISTINCT A.price) > 0')).toMatch(/DISTINCT aggregations/);
    expect(plan('PATTERN (A B) DEFINE A AS LAST(A.price + B.price) > 0')).toMatch(/one pattern variable/);
    expect(plan('PATTERN (A B) DEFINE A AS price')).toMatch(/must be a BOOLEAN/);
    expect(plan('PATTERN (A B) DEFINE A AS price > 0')).toBe('ok');
  });
});
