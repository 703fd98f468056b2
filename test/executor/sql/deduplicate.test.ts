// Deduplication under the harness: Flink's ProcTimeDeduplicateKeepFirstRowFunction, ProcTimeDeduplicateKeepLast-
// RowFunction (DeduplicateFunctionHelper.processLastRowOnProcTime / processLastRowOnChangelog) and
// RowTimeDeduplicateFunction (DeduplicateFunctionHelper.shouldKeepCurrentRow, updateDeduplicateResult).
// Query shape from the Flink docs page "Deduplication":
//   SELECT order_id, user, product, num FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id
//   ORDER BY proctime ASC) AS row_num FROM Orders) WHERE row_num = 1
// The first two cases replay ProcTimeDeduplicateKeepLastRowFunctionTest's input (book 1 12, book 2 11, book 1 13).
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, watermark } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import type { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { DeduplicateOperator, type DeduplicateConfig } from '../../../executor/sql/deduplicate.js';

const orders = Schema.of(
  ['product', Types.STRING()],
  ['order_id', Types.BIGINT()],
  ['num', Types.INT()],
  ['ts', Types.TIMESTAMP(3)],
);

function dedup(over: Partial<DeduplicateConfig> = {}, restoreFrom?: Uint8Array): OperatorTestHarness {
  const cfg: DeduplicateConfig = {
    name: 'Deduplicate',
    inputSchema: orders,
    keys: [1],
    keepLastRow: false,
    timeCol: 3,
    isRowtime: false,
    generateUpdateBefore: true,
    outputSchema: orders,
    ...over,
  };
  return new OperatorTestHarness(new DeduplicateOperator(cfg), {
    inputs: [orders],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function changelog(h: OperatorTestHarness): Value[][] {
  return h.getOutput().flatMap((e) => (e.kind === 'record' ? [[e.rowKind, ...e.row]] : []));
}

const books: Value[][] = [
  ['book', 1n, 12, 0],
  ['book', 2n, 11, 0],
  ['book', 1n, 13, 0],
];

describe('DeduplicateOperator on processing time', () => {
  it('keep-first emits each key first row once, insert-only', () => {
    const h = dedup();
    h.processBatch(batchFromRows(orders, books));
    expect(changelog(h)).toEqual([
      ['+I', 'book', 1n, 12, 0],
      ['+I', 'book', 2n, 11, 0],
    ]);
  });

  it('keep-last replaces the row with -U/+U, or just +U without update-before', () => {
    const h = dedup({ keepLastRow: true });
    h.processBatch(batchFromRows(orders, books));
    expect(changelog(h)).toEqual([
      ['+I', 'book', 1n, 12, 0],
      ['+I', 'book', 2n, 11, 0],
      ['-U', 'book', 1n, 12, 0],
      ['+U', 'book', 1n, 13, 0],
    ]);
    const noUb = dedup({ keepLastRow: true, generateUpdateBefore: false });
    noUb.processBatch(batchFromRows(orders, books));
    expect(changelog(noUb).map((r) => r[0])).toEqual(['+I', '+I', '+U']);
  });

  it('keep-last emits nothing for a row identical to the kept one', () => {
    const h = dedup({ keepLastRow: true });
    h.processBatch(batchFromRows(orders, [books[0] as Value[], books[0] as Value[]]));
    expect(changelog(h)).toEqual([['+I', 'book', 1n, 12, 0]]);
  });

  it('keep-last on a changelog input turns a retraction into a delete of the full stored row', () => {
    const h = dedup({ keepLastRow: true });
    h.processBatch(
      batchFromRows(
        orders,
        [
          ['book', 1n, 12, 0],
          ['book', 1n, null, null], // a -U carrying only the key, as a tombstone would
          ['book', 1n, null, null], // nothing left to delete
          ['book', 1n, 14, 0],
        ],
        [0, 1, 3, 2] as RowKind[],
      ),
    );
    expect(changelog(h)).toEqual([
      ['+I', 'book', 1n, 12, 0],
      ['-D', 'book', 1n, 12, 0],
      ['+I', 'book', 1n, 14, 0],
    ]);
  });

  it('keep-first rejects retractions', () => {
    const h = dedup();
    expect(() => h.processBatch(batchFromRows(orders, [books[0] as Value[]], [3]))).toThrow(/insert-only/);
  });
});

describe('DeduplicateOperator on event time', () => {
  const rows: Value[][] = [
    ['a', 1n, 1, 10],
    ['b', 1n, 2, 5], // earlier
    ['c', 1n, 3, 10], // same time as the first
    ['d', 1n, 4, 20], // later
  ];

  it('keep-last keeps the latest time, a later arrival winning a tie, updated at once', () => {
    const h = dedup({ isRowtime: true, keepLastRow: true });
    h.processBatch(batchFromRows(orders, rows));
    expect(changelog(h)).toEqual([
      ['+I', 'a', 1n, 1, 10],
      ['-U', 'a', 1n, 1, 10],
      ['+U', 'c', 1n, 3, 10],
      ['-U', 'c', 1n, 3, 10],
      ['+U', 'd', 1n, 4, 20],
    ]);
  });

  it('keep-first keeps the earliest time and retracts a row an earlier one displaces', () => {
    const h = dedup({ isRowtime: true });
    h.processBatch(batchFromRows(orders, rows));
    expect(changelog(h)).toEqual([
      ['+I', 'a', 1n, 1, 10],
      ['-U', 'a', 1n, 1, 10],
      ['+U', 'b', 1n, 2, 5],
    ]);
  });

  it('drops no row behind the watermark (RowTimeDeduplicateFunction has no lateness) and forwards watermarks', () => {
    const h = dedup({ isRowtime: true, keepLastRow: true });
    h.processWatermark(100);
    h.processBatch(batchFromRows(orders, [rows[0] as Value[]]));
    expect(h.getOutput()).toEqual([
      watermark(100),
      { kind: 'record', rowKind: '+I', row: ['a', 1n, 1, 10], timestamp: null },
    ]);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(0);
  });

  it('restores the kept rows and their times', () => {
    const h = dedup({ isRowtime: true, keepLastRow: true });
    h.processBatch(batchFromRows(orders, rows.slice(0, 1)));
    const r = dedup({ isRowtime: true, keepLastRow: true }, h.snapshot());
    r.processBatch(batchFromRows(orders, rows.slice(1)));
    expect(changelog(r)).toEqual([
      ['-U', 'a', 1n, 1, 10],
      ['+U', 'c', 1n, 3, 10],
      ['-U', 'c', 1n, 3, 10],
      ['+U', 'd', 1n, 4, 20],
    ]);
  });

  it('can append the row number column (always 1)', () => {
    const out = new Schema([...orders.fields, { name: 'row_num', type: Types.BIGINT(false) }]);
    const h = dedup({ outputSchema: out });
    h.processBatch(batchFromRows(orders, [books[0] as Value[]]));
    expect(changelog(h)).toEqual([['+I', 'book', 1n, 12, 0, 1n]]);
  });
});
