// Window Top-N and window deduplication under the harness, on the Bid table of the Flink docs pages
// "Window Top-N" and "Window Deduplication" (docs/dev/table/sql/queries/window-topn, window-deduplication):
// results appear, insert-only, when the watermark reaches window_end - 1 (WindowRankProcessor.fireWindow,
// RowTimeWindowDeduplicateProcessor); rows of fired windows are late, dropped and counted.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, record, watermark } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import type { RankType } from '../../../executor/sql/rank.js';
import {
  WindowDeduplicateOperator,
  WindowRankOperator,
  type WindowRankConfig,
} from '../../../executor/sql/window-rank.js';

const at = (hh: number, mm: number): number => Date.UTC(2020, 3, 15, hh, mm);
const ts = Types.TIMESTAMP(3);
// TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)
const bidWindows = Schema.of(
  ['bidtime', ts],
  ['price', Types.DECIMAL(10, 2)],
  ['item', Types.STRING()],
  ['supplier_id', Types.STRING()],
  ['window_start', ts],
  ['window_end', ts],
);
const withRownum = new Schema([...bidWindows.fields, { name: 'rownum', type: Types.BIGINT(false) }]);

function bid(hh: number, mm: number, cents: number, item: string, supplier: string): Value[] {
  const start = at(hh, Math.floor(mm / 10) * 10);
  return [at(hh, mm), BigInt(cents), item, supplier, start, start + 600_000];
}

const bids: Value[][] = [
  bid(8, 5, 400, 'A', 'supplier1'),
  bid(8, 6, 400, 'C', 'supplier2'),
  bid(8, 7, 200, 'G', 'supplier1'),
  bid(8, 8, 200, 'B', 'supplier3'),
  bid(8, 9, 500, 'D', 'supplier4'),
  bid(8, 11, 200, 'B', 'supplier3'),
  bid(8, 13, 100, 'E', 'supplier1'),
  bid(8, 15, 300, 'H', 'supplier2'),
  bid(8, 17, 600, 'F', 'supplier5'),
];

function windowRank(over: Partial<WindowRankConfig> = {}, restoreFrom?: Uint8Array): OperatorTestHarness {
  const cfg: WindowRankConfig = {
    name: 'WindowRank',
    inputSchema: bidWindows,
    partitionKeys: [4, 5],
    windowEndCol: 5,
    orderKeys: [{ col: 1, descending: true, nullsFirst: false }],
    rankType: 'ROW_NUMBER',
    rankStart: 1,
    rankEnd: 3,
    outputRankNumber: true,
    outputSchema: withRownum,
    ...over,
  };
  return new OperatorTestHarness(new WindowRankOperator(cfg), {
    inputs: [bidWindows],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

describe('WindowRankOperator', () => {
  it('emits the docs example: top 3 items by price for every tumbling 10 minutes window', () => {
    const h = windowRank();
    h.processBatch(batchFromRows(bidWindows, bids));
    h.processWatermark(at(8, 10) - 2);
    expect(h.extractRows()).toEqual([]);
    h.processWatermark(at(8, 10) - 1);
    expect(h.getOutput()).toEqual([
      watermark(at(8, 10) - 2),
      record([...bid(8, 9, 500, 'D', 'supplier4'), 1n]),
      record([...bid(8, 5, 400, 'A', 'supplier1'), 2n]), // ties with C at 4.00 and came first
      record([...bid(8, 6, 400, 'C', 'supplier2'), 3n]),
      watermark(at(8, 10) - 1),
    ]);
    h.clearOutput().endInput();
    expect(h.extractRows()).toEqual([
      [...bid(8, 17, 600, 'F', 'supplier5'), 1n],
      [...bid(8, 15, 300, 'H', 'supplier2'), 2n],
      [...bid(8, 11, 200, 'B', 'supplier3'), 3n],
    ]);
  });

  it('ranks a window aggregate: the docs example of the top 3 suppliers by sales per window', () => {
    const agg = Schema.of(
      ['window_start', ts],
      ['window_end', ts],
      ['supplier_id', Types.STRING()],
      ['price', Types.DECIMAL(10, 2)],
      ['cnt', Types.BIGINT()],
    );
    const out = new Schema([...agg.fields, { name: 'rownum', type: Types.BIGINT(false) }]);
    const w = (m: number): [number, number] => [at(8, m), at(8, m + 10)];
    const rows: Value[][] = [
      [...w(0), 'supplier1', 600n, 2n],
      [...w(0), 'supplier2', 400n, 1n],
      [...w(0), 'supplier3', 200n, 1n],
      [...w(0), 'supplier4', 500n, 1n],
      [...w(10), 'supplier3', 200n, 1n],
      [...w(10), 'supplier1', 100n, 1n],
      [...w(10), 'supplier2', 300n, 1n],
      [...w(10), 'supplier5', 600n, 1n],
    ];
    const op = new WindowRankOperator({
      name: 'WindowRank',
      inputSchema: agg,
      partitionKeys: [0, 1],
      windowEndCol: 1,
      orderKeys: [{ col: 3, descending: true, nullsFirst: false }],
      rankType: 'ROW_NUMBER',
      rankStart: 1,
      rankEnd: 3,
      outputRankNumber: true,
      outputSchema: out,
    });
    const h = new OperatorTestHarness(op, { inputs: [agg] });
    h.processBatch(batchFromRows(agg, rows)).endInput();
    expect(h.extractRows()).toEqual([
      [...w(0), 'supplier1', 600n, 2n, 1n],
      [...w(0), 'supplier4', 500n, 1n, 2n],
      [...w(0), 'supplier2', 400n, 1n, 3n],
      [...w(10), 'supplier5', 600n, 1n, 1n],
      [...w(10), 'supplier2', 300n, 1n, 2n],
      [...w(10), 'supplier3', 200n, 1n, 3n],
    ]);
  });

  it('drops and counts the rows of a window that has fired', () => {
    const h = windowRank();
    h.processBatch(batchFromRows(bidWindows, bids.slice(0, 2)));
    h.processWatermark(at(8, 10) - 1);
    h.processBatch(batchFromRows(bidWindows, [bid(8, 9, 900, 'Z', 'late'), bid(8, 12, 900, 'Y', 'ok')]));
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.clearOutput().endInput();
    expect(h.extractRows()).toEqual([[...bid(8, 12, 900, 'Y', 'ok'), 1n]]);
  });

  it('applies an offset and ranks ties by RANK and DENSE_RANK', () => {
    const prices = [500, 400, 400, 300, 200];
    const rows = prices.map((p, i) => bid(8, i, p, `i${i}`, 's'));
    const run = (rankType: RankType, rankStart: number, rankEnd: number): Value[] => {
      const h = windowRank({ rankType, rankStart, rankEnd });
      h.processBatch(batchFromRows(bidWindows, rows)).endInput();
      return h.extractRows().map((r) => `${String(r[2])}:${String(r[6])}`);
    };
    expect(run('ROW_NUMBER', 2, 3)).toEqual(['i1:2', 'i2:3']);
    expect(run('RANK', 2, 3)).toEqual(['i1:2', 'i2:2']);
    expect(run('RANK', 1, 2)).toEqual(['i0:1', 'i1:2', 'i2:2']);
    expect(run('RANK', 4, 4)).toEqual(['i3:4']);
    expect(run('DENSE_RANK', 2, 3)).toEqual(['i1:2', 'i2:2', 'i3:3']);
  });

  it('leaves out the rank column when not selected, and rejects retractions', () => {
    const h = windowRank({ outputRankNumber: false, outputSchema: bidWindows, rankEnd: 1 });
    h.processBatch(batchFromRows(bidWindows, bids)).endInput();
    expect(h.extractRows()).toEqual([bid(8, 9, 500, 'D', 'supplier4'), bid(8, 17, 600, 'F', 'supplier5')]);
    expect(() => h.processBatch(batchFromRows(bidWindows, [bids[0] as Value[]], [1]))).toThrow(
      'Window rank does not support input RowKind: -U',
    );
  });

  it('restores buffered windows and the watermark', () => {
    const h = windowRank();
    h.processBatch(batchFromRows(bidWindows, bids.slice(0, 4)));
    h.processWatermark(at(8, 5));
    const r = windowRank({}, h.snapshot());
    r.processBatch(batchFromRows(bidWindows, bids.slice(4)));
    r.processBatch(batchFromRows(bidWindows, [bid(8, 4, 9900, 'L', 'late?')])); // window not fired yet: kept
    r.endInput();
    expect(r.extractRows().map((x) => x[2])).toEqual(['L', 'D', 'A', 'F', 'H', 'B']);
  });
});

describe('WindowDeduplicateOperator', () => {
  const dedup = (keepLastRow: boolean): OperatorTestHarness =>
    new OperatorTestHarness(
      new WindowDeduplicateOperator({
        name: 'WindowDeduplicate',
        inputSchema: bidWindows,
        keys: [4, 5],
        windowEndCol: 5,
        timeCol: 0,
        keepLastRow,
        outputSchema: withRownum,
      }),
      { inputs: [bidWindows] },
    ).open();

  it('keeps the last row of every window (the docs example, ORDER BY bidtime DESC)', () => {
    const h = dedup(true);
    h.processBatch(batchFromRows(bidWindows, bids));
    h.processWatermark(at(8, 10) - 1);
    expect(h.getOutput()).toEqual([
      record([...bid(8, 9, 500, 'D', 'supplier4'), 1n]),
      watermark(at(8, 10) - 1),
    ]);
    h.clearOutput().endInput();
    expect(h.extractRows()).toEqual([[...bid(8, 17, 600, 'F', 'supplier5'), 1n]]);
  });

  it('keeps the first row (ORDER BY bidtime ASC), whatever the arrival order', () => {
    const h = dedup(false);
    h.processBatch(batchFromRows(bidWindows, [...bids].reverse())).endInput();
    expect(h.extractRows()).toEqual([
      [...bid(8, 5, 400, 'A', 'supplier1'), 1n],
      [...bid(8, 11, 200, 'B', 'supplier3'), 1n],
    ]);
  });

  it('drops late rows and restores from a snapshot', () => {
    const h = dedup(true);
    h.processBatch(batchFromRows(bidWindows, bids.slice(0, 6)));
    h.processWatermark(at(8, 10));
    h.processBatch(batchFromRows(bidWindows, [bid(8, 9, 1, 'late', 'x')]));
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    const r = new OperatorTestHarness(
      new WindowDeduplicateOperator({
        name: 'WindowDeduplicate',
        inputSchema: bidWindows,
        keys: [4, 5],
        windowEndCol: 5,
        timeCol: 0,
        keepLastRow: true,
        outputSchema: bidWindows,
      }),
      { inputs: [bidWindows], restoreFrom: h.snapshot() },
    );
    r.processBatch(
      batchFromRows(bidWindows, [bid(8, 9, 1, 'late', 'x'), bid(8, 12, 1, 'K', 'y')]),
    ).endInput();
    expect(r.metrics.get('numLateRecordsDropped')).toBe(1);
    expect(r.extractRows()).toEqual([bid(8, 12, 1, 'K', 'y')]);
  });
});

describe('WindowRankOperator over PROCTIME windows', () => {
  it('fires when processing time reaches window_end - 1, ignores watermarks, and re-arms after a restore', () => {
    const rows = Schema.of(['key', Types.STRING()], ['value', Types.INT()], ['window_end', Types.BIGINT()]);
    const cfg = {
      name: 'WindowRank',
      inputSchema: rows,
      partitionKeys: [0],
      windowEndCol: 2,
      orderKeys: [{ col: 1, descending: true, nullsFirst: false }],
      rankType: 'ROW_NUMBER' as const,
      rankStart: 1,
      rankEnd: 1,
      outputRankNumber: false,
      outputSchema: rows,
      proctime: true,
    };
    const h = new OperatorTestHarness(new WindowRankOperator(cfg), { inputs: [rows] }).open();
    h.processBatch(
      batchFromRows(rows, [
        ['a', 1, 1000n],
        ['a', 3, 1000n],
        ['a', 2, 2000n],
      ]),
    );
    h.processWatermark(5000).setProcessingTime(998);
    expect(h.extractRows()).toEqual([]);
    h.setProcessingTime(999);
    expect(h.extractRows()).toEqual([['a', 3, 1000n]]);
    const r = new OperatorTestHarness(new WindowRankOperator(cfg), {
      inputs: [rows],
      restoreFrom: h.snapshot(),
      startTime: 999,
    }).open();
    r.processBatch(batchFromRows(rows, [['a', 9, 1000n]])); // its window has fired: late
    r.setProcessingTime(2500);
    expect(r.extractRows()).toEqual([['a', 2, 2000n]]);
    expect(r.metrics.get('numLateRecordsDropped')).toBe(1);
  });
});

// Flink's WindowRankOperatorTest (testTop2Windows, testTop2WindowsWithOffset): rows (key, value, window_end) in
// UTC, top 2 by value ascending per key and window; Flink compares the output sorted, and so does this.
describe('WindowRankOperatorTest cases', () => {
  const rows = Schema.of(['key', Types.STRING()], ['value', Types.INT()], ['window_end', Types.BIGINT()]);
  const ranked = new Schema([...rows.fields, { name: 'rn', type: Types.BIGINT(false) }]);
  const input: Value[][] = [
    ['key2', 1, 999n],
    ['key2', 4, 999n],
    ['key2', 5, 999n],
    ['key2', 3, 999n],
    ['key2', 2, 1999n],
    ['key2', 7, 3999n],
    ['key2', 8, 3999n],
    ['key2', 1, 3999n],
    ['key1', 2, 999n],
    ['key1', 1, 999n],
    ['key1', 3, 999n],
    ['key1', 3, 999n],
    ['key1', 4, 1999n],
    ['key1', 6, 1999n],
    ['key1', 7, 1999n],
  ];
  const make = (rankStart: number, restoreFrom?: Uint8Array): OperatorTestHarness =>
    new OperatorTestHarness(
      new WindowRankOperator({
        name: 'WindowRank',
        inputSchema: rows,
        partitionKeys: [0],
        windowEndCol: 2,
        orderKeys: [{ col: 1, descending: false, nullsFirst: true }],
        rankType: 'ROW_NUMBER',
        rankStart,
        rankEnd: 2,
        outputRankNumber: true,
        outputSchema: ranked,
      }),
      { inputs: [rows], ...(restoreFrom === undefined ? {} : { restoreFrom }) },
    ).open();
  const sorted = (h: OperatorTestHarness): string[] =>
    h
      .getOutput()
      .map((e) => (e.kind === 'record' ? e.row.join(',') : e.kind === 'watermark' ? `WM ${e.timestamp}` : ''))
      .sort();

  it('testTop2Windows', () => {
    const h = make(1);
    for (const r of input) h.processBatch(batchFromRows(rows, [r]));
    h.processWatermark(999);
    expect(sorted(h)).toEqual(['WM 999', 'key1,1,999,1', 'key1,2,999,2', 'key2,1,999,1', 'key2,3,999,2']);
    h.clearOutput().processWatermark(1999);
    expect(sorted(h)).toEqual(['WM 1999', 'key1,4,1999,1', 'key1,6,1999,2', 'key2,2,1999,1']);
    const r = make(1, h.snapshot());
    r.processWatermark(3999);
    expect(sorted(r)).toEqual(['WM 3999', 'key2,1,3999,1', 'key2,7,3999,2']);
    r.clearOutput().processBatch(batchFromRows(rows, [['key2', 1, 3500n]])); // late: dropped
    r.processWatermark(4999);
    expect(sorted(r)).toEqual(['WM 4999']);
    expect(r.metrics.get('numLateRecordsDropped')).toBe(1);
  });

  it('testTop2WindowsWithOffset', () => {
    const h = make(2);
    for (const r of input) h.processBatch(batchFromRows(rows, [r]));
    h.processWatermark(999).processWatermark(1999);
    expect(sorted(h)).toEqual(['WM 1999', 'WM 999', 'key1,2,999,2', 'key1,6,1999,2', 'key2,3,999,2']);
    const r = make(2, h.snapshot());
    r.processWatermark(3999);
    expect(sorted(r)).toEqual(['WM 3999', 'key2,7,3999,2']);
  });
});
