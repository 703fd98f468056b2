// Flink's own harness cases for its Top-N functions, replayed against RankOperator: TopNFunctionTestBase (run by
// Flink for AppendOnlyTopNFunction and RetractableTopNFunction alike, so here for both inputInsertOnly settings)
// and RetractableTopNFunctionTest (retractions). Rows are (category STRING, id BIGINT, score INT), partitioned
// by category, ordered by score ascending; expected changelogs are Flink's, in order.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import type { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { RankOperator } from '../../../executor/sql/rank.js';

const input = Schema.of(['category', Types.STRING()], ['id', Types.BIGINT()], ['score', Types.INT()]);
const withRank = new Schema([...input.fields, { name: 'rn', type: Types.BIGINT(false) }]);

type Rec = [string, string, number, number, number?]; // kind, category, id, score, rank

interface Setup {
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly generateUpdateBefore: boolean;
  readonly outputRankNumber: boolean;
  readonly inputInsertOnly: boolean;
}

function harness(s: Setup, restoreFrom?: Uint8Array): OperatorTestHarness {
  const op = new RankOperator({
    name: 'Rank',
    inputSchema: input,
    partitionKeys: [0],
    orderKeys: [{ col: 2, descending: false, nullsFirst: true }],
    rankType: 'ROW_NUMBER',
    outputSchema: s.outputRankNumber ? withRank : input,
    ...s,
  });
  return new OperatorTestHarness(op, {
    inputs: [input],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

const codes: Record<string, RowKind> = { '+I': 0, '-U': 1, '+U': 2, '-D': 3 };

function feed(h: OperatorTestHarness, recs: readonly Rec[]): void {
  for (const [k, c, id, score] of recs)
    h.processBatch(batchFromRows(input, [[c, BigInt(id), score]], [codes[k] as RowKind]));
}

function expected(recs: readonly Rec[]): Value[][] {
  return recs.map(([k, c, id, score, rank]) =>
    rank === undefined ? [k, c, BigInt(id), score] : [k, c, BigInt(id), score, BigInt(rank)],
  );
}

function changelog(h: OperatorTestHarness): Value[][] {
  return h.getOutput().flatMap((e) => (e.kind === 'record' ? [[e.rowKind, ...e.row]] : []));
}

const books: Rec[] = [
  ['+I', 'book', 1, 12],
  ['+I', 'book', 2, 19],
  ['+I', 'book', 4, 11],
  ['+I', 'fruit', 4, 33],
  ['+I', 'fruit', 3, 44],
  ['+I', 'fruit', 5, 22],
];

for (const inputInsertOnly of [true, false]) {
  describe(`TopNFunctionTestBase cases, ${inputInsertOnly ? 'AppendOnlyTopNFunction' : 'RetractableTopNFunction'}`, () => {
    const base = { rankStart: 1, rankEnd: 2, inputInsertOnly };

    it('testDisableGenerateUpdateBefore: without the rank number, deletes are still sent', () => {
      const h = harness({ ...base, generateUpdateBefore: false, outputRankNumber: false });
      feed(h, [
        ['+I', 'book', 1, 12],
        ['+I', 'book', 2, 19],
        ['+I', 'book', 3, 19],
        ['+I', 'book', 4, 11],
        ['+I', 'book', 5, 11],
        ['+I', 'fruit', 4, 33],
        ['+I', 'fruit', 3, 44],
        ['+I', 'fruit', 5, 22],
      ]);
      expect(changelog(h)).toEqual(
        expected([
          ['+I', 'book', 1, 12],
          ['+I', 'book', 2, 19],
          ['-D', 'book', 2, 19],
          ['+I', 'book', 4, 11],
          ['-D', 'book', 1, 12],
          ['+I', 'book', 5, 11],
          ['+I', 'fruit', 4, 33],
          ['+I', 'fruit', 3, 44],
          ['-D', 'fruit', 3, 44],
          ['+I', 'fruit', 5, 22],
        ]),
      );
    });

    it('testDisableGenerateUpdateBeforeAndOutputRankNumber: partition key + rank is a unique key, so no -U', () => {
      const h = harness({ ...base, generateUpdateBefore: false, outputRankNumber: true });
      feed(h, [...books.slice(0, 3), ['+I', 'book', 5, 11], ...books.slice(3)]);
      expect(changelog(h)).toEqual(
        expected([
          ['+I', 'book', 1, 12, 1],
          ['+I', 'book', 2, 19, 2],
          ['+U', 'book', 4, 11, 1],
          ['+U', 'book', 1, 12, 2],
          ['+U', 'book', 5, 11, 2],
          ['+I', 'fruit', 4, 33, 1],
          ['+I', 'fruit', 3, 44, 2],
          ['+U', 'fruit', 5, 22, 1],
          ['+U', 'fruit', 4, 33, 2],
        ]),
      );
    });

    it('testOutputRankNumberWithConstantRankRange', () => {
      const h = harness({ ...base, generateUpdateBefore: true, outputRankNumber: true });
      feed(h, [...books.slice(0, 3), ['+I', 'book', 5, 11], ...books.slice(3)]);
      expect(changelog(h)).toEqual(
        expected([
          ['+I', 'book', 1, 12, 1],
          ['+I', 'book', 2, 19, 2],
          ['-U', 'book', 1, 12, 1],
          ['+U', 'book', 4, 11, 1],
          ['-U', 'book', 2, 19, 2],
          ['+U', 'book', 1, 12, 2],
          ['-U', 'book', 1, 12, 2],
          ['+U', 'book', 5, 11, 2],
          ['+I', 'fruit', 4, 33, 1],
          ['+I', 'fruit', 3, 44, 2],
          ['-U', 'fruit', 4, 33, 1],
          ['+U', 'fruit', 5, 22, 1],
          ['-U', 'fruit', 3, 44, 2],
          ['+U', 'fruit', 4, 33, 2],
        ]),
      );
    });

    it('testConstantRankRangeWithOffset: rank 2 only, without the rank number', () => {
      const h = harness({ ...base, rankStart: 2, generateUpdateBefore: true, outputRankNumber: false });
      feed(h, books);
      expect(changelog(h)).toEqual(
        expected([
          ['+I', 'book', 2, 19],
          ['-U', 'book', 2, 19],
          ['+U', 'book', 1, 12],
          ['+I', 'fruit', 3, 44],
          ['-U', 'fruit', 3, 44],
          ['+U', 'fruit', 4, 33],
        ]),
      );
    });

    it('testConstantRankRangeWithoutOffset, then restored from a snapshot', () => {
      const s = { ...base, generateUpdateBefore: true, outputRankNumber: false };
      const h = harness(s);
      feed(h, books);
      expect(changelog(h)).toEqual(
        expected([
          ['+I', 'book', 1, 12],
          ['+I', 'book', 2, 19],
          ['-D', 'book', 2, 19],
          ['+I', 'book', 4, 11],
          ['+I', 'fruit', 4, 33],
          ['+I', 'fruit', 3, 44],
          ['-D', 'fruit', 3, 44],
          ['+I', 'fruit', 5, 22],
        ]),
      );
      const r = harness(s, h.snapshot());
      feed(r, [['+I', 'book', 5, 10]]);
      expect(changelog(r)).toEqual(
        expected([
          ['-D', 'book', 1, 12],
          ['+I', 'book', 5, 10],
        ]),
      );
    });
  });
}

describe('RetractableTopNFunctionTest cases', () => {
  const retract: Rec[] = [
    ['+I', 'book', 1, 12],
    ['+I', 'book', 2, 19],
    ['+I', 'book', 4, 11],
    ['-U', 'book', 1, 12],
    ['+I', 'book', 5, 11],
    ['+I', 'fruit', 4, 33],
    ['+I', 'fruit', 3, 44],
    ['+I', 'fruit', 5, 22],
  ];
  const base = { rankStart: 1, rankEnd: 2, inputInsertOnly: false, outputRankNumber: true };

  it('testProcessRetractMessageWithNotGenerateUpdateBefore', () => {
    const h = harness({ ...base, generateUpdateBefore: false });
    feed(h, retract);
    expect(changelog(h)).toEqual(
      expected([
        ['+I', 'book', 1, 12, 1],
        ['+I', 'book', 2, 19, 2],
        ['+U', 'book', 4, 11, 1],
        ['+U', 'book', 1, 12, 2],
        ['+U', 'book', 2, 19, 2],
        ['+U', 'book', 5, 11, 2],
        ['+I', 'fruit', 4, 33, 1],
        ['+I', 'fruit', 3, 44, 2],
        ['+U', 'fruit', 5, 22, 1],
        ['+U', 'fruit', 4, 33, 2],
      ]),
    );
  });

  it('testProcessRetractMessageWithGenerateUpdateBefore', () => {
    const h = harness({ ...base, generateUpdateBefore: true });
    feed(h, retract);
    expect(changelog(h)).toEqual(
      expected([
        ['+I', 'book', 1, 12, 1],
        ['+I', 'book', 2, 19, 2],
        ['-U', 'book', 1, 12, 1],
        ['+U', 'book', 4, 11, 1],
        ['-U', 'book', 2, 19, 2],
        ['+U', 'book', 1, 12, 2],
        ['-U', 'book', 1, 12, 2],
        ['+U', 'book', 2, 19, 2],
        ['-U', 'book', 2, 19, 2],
        ['+U', 'book', 5, 11, 2],
        ['+I', 'fruit', 4, 33, 1],
        ['+I', 'fruit', 3, 44, 2],
        ['-U', 'fruit', 4, 33, 1],
        ['+U', 'fruit', 5, 22, 1],
        ['-U', 'fruit', 3, 44, 2],
        ['+U', 'fruit', 4, 33, 2],
      ]),
    );
  });

  it('testConstantRankRangeWithoutOffsetWithRowNumber, then restored from a snapshot', () => {
    const s = { ...base, generateUpdateBefore: true };
    const h = harness(s);
    feed(h, books);
    const r = harness(s, h.snapshot());
    feed(r, [['+I', 'book', 1, 10]]);
    expect(changelog(r)).toEqual(
      expected([
        ['-U', 'book', 4, 11, 1],
        ['+U', 'book', 1, 10, 1],
        ['-U', 'book', 1, 12, 2],
        ['+U', 'book', 4, 11, 2],
      ]),
    );
  });

  it('testVariableRankRange… with a constant Top-1: ties keep the first row', () => {
    const h = harness({ ...base, rankEnd: 1, generateUpdateBefore: true, outputRankNumber: false });
    feed(h, [
      ['+I', 'fruit', 1, 33],
      ['+I', 'fruit', 1, 44],
      ['+I', 'fruit', 1, 22],
    ]);
    expect(changelog(h)).toEqual(
      expected([
        ['+I', 'fruit', 1, 33],
        ['-D', 'fruit', 1, 33],
        ['+I', 'fruit', 1, 22],
      ]),
    );
  });
});
