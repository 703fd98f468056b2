// The window TVFs without aggregation. Expected rows are the tables of Flink's "Windowing TVF" documentation
// page (docs/dev/table/sql/queries/window-tvf) over its Bid table; the order of one row's windows is that of
// Flink's assigners (SlidingWindowAssigner lists HOP windows from the latest start back, CumulativeWindowAssigner
// from the shortest window), which the docs' tables, sorted for reading, do not show. Aligned windows are
// stateless and emit late rows too (AlignedWindowTableFunctionOperator); SESSION buffers per partition key
// until the watermark and drops late rows (UnalignedWindowTableFunctionOperator).
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, watermark } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { windowsOf, type WindowSpec } from '../../../executor/sql/slices.js';
import { WindowTableFunctionOperator } from '../../../executor/sql/window-table-function.js';

const MIN = 60_000;
const t = (hh: number, mm: number): number => Date.UTC(2020, 3, 15, hh, mm);

const bid = Schema.of(
  ['bidtime', Types.TIMESTAMP(3, true, 'rowtime')],
  ['price', Types.DECIMAL(10, 2)],
  ['item', Types.STRING()],
);
const out = new Schema([
  ...bid.fields,
  { name: 'window_start', type: Types.TIMESTAMP(3, false) },
  { name: 'window_end', type: Types.TIMESTAMP(3, false) },
  { name: 'window_time', type: Types.TIMESTAMP(3, false, 'rowtime') },
]);

const BIDS: Value[][] = [
  [t(8, 5), 400n, 'C'],
  [t(8, 7), 200n, 'A'],
  [t(8, 9), 500n, 'D'],
  [t(8, 11), 300n, 'B'],
  [t(8, 13), 100n, 'E'],
  [t(8, 17), 600n, 'F'],
];

function harness(
  window: WindowSpec,
  partitionKeys?: number[],
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new WindowTableFunctionOperator({
    name: 'WindowTableFunction',
    inputSchema: bid,
    window,
    timeCol: 0,
    outputSchema: out,
    ...(partitionKeys === undefined ? {} : { partitionKeys }),
  });
  return new OperatorTestHarness(op, {
    inputs: [bid],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

const feed = (h: OperatorTestHarness, rows: readonly Value[][]): void => {
  h.processElements(rows.map((r) => [[...r], null] as [Value[], null]));
};

/** [bidtime, item, window_start, window_end] per output row; checks window_time and the row kind. */
function rows(h: OperatorTestHarness): Value[][] {
  return h.getOutput().flatMap((e) => {
    if (e.kind !== 'record') return [];
    expect(e.rowKind).toBe('+I');
    const [time, , item, start, end, wt] = e.row;
    expect(wt).toBe((end as number) - 1);
    return [[time, item, start, end]];
  });
}

describe('window table function', () => {
  it('TUMBLE 10 min: the Flink docs example', () => {
    const h = harness({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 });
    feed(h, BIDS);
    expect(rows(h)).toEqual([
      [t(8, 5), 'C', t(8, 0), t(8, 10)],
      [t(8, 7), 'A', t(8, 0), t(8, 10)],
      [t(8, 9), 'D', t(8, 0), t(8, 10)],
      [t(8, 11), 'B', t(8, 10), t(8, 20)],
      [t(8, 13), 'E', t(8, 10), t(8, 20)],
      [t(8, 17), 'F', t(8, 10), t(8, 20)],
    ]);
    // All of a row's input columns come through (DECIMAL included).
    expect(h.extractRows()[0]).toEqual([t(8, 5), 400n, 'C', t(8, 0), t(8, 10), t(8, 10) - 1]);
  });

  it('HOP 10 min by 5 min: every row twice, latest window first as SlidingWindowAssigner lists them', () => {
    const h = harness({ kind: 'HOP', size: 10 * MIN, slide: 5 * MIN, offset: 0 });
    feed(h, BIDS);
    expect(rows(h)).toEqual([
      [t(8, 5), 'C', t(8, 5), t(8, 15)],
      [t(8, 5), 'C', t(8, 0), t(8, 10)],
      [t(8, 7), 'A', t(8, 5), t(8, 15)],
      [t(8, 7), 'A', t(8, 0), t(8, 10)],
      [t(8, 9), 'D', t(8, 5), t(8, 15)],
      [t(8, 9), 'D', t(8, 0), t(8, 10)],
      [t(8, 11), 'B', t(8, 10), t(8, 20)],
      [t(8, 11), 'B', t(8, 5), t(8, 15)],
      [t(8, 13), 'E', t(8, 10), t(8, 20)],
      [t(8, 13), 'E', t(8, 5), t(8, 15)],
      [t(8, 17), 'F', t(8, 15), t(8, 25)],
      [t(8, 17), 'F', t(8, 10), t(8, 20)],
    ]);
  });

  it('CUMULATE 2 min steps up to 10 min: the Flink docs example', () => {
    const h = harness({ kind: 'CUMULATE', maxSize: 10 * MIN, step: 2 * MIN, offset: 0 });
    feed(h, BIDS);
    expect(rows(h)).toEqual([
      [t(8, 5), 'C', t(8, 0), t(8, 6)],
      [t(8, 5), 'C', t(8, 0), t(8, 8)],
      [t(8, 5), 'C', t(8, 0), t(8, 10)],
      [t(8, 7), 'A', t(8, 0), t(8, 8)],
      [t(8, 7), 'A', t(8, 0), t(8, 10)],
      [t(8, 9), 'D', t(8, 0), t(8, 10)],
      [t(8, 11), 'B', t(8, 10), t(8, 12)],
      [t(8, 11), 'B', t(8, 10), t(8, 14)],
      [t(8, 11), 'B', t(8, 10), t(8, 16)],
      [t(8, 11), 'B', t(8, 10), t(8, 18)],
      [t(8, 11), 'B', t(8, 10), t(8, 20)],
      [t(8, 13), 'E', t(8, 10), t(8, 14)],
      [t(8, 13), 'E', t(8, 10), t(8, 16)],
      [t(8, 13), 'E', t(8, 10), t(8, 18)],
      [t(8, 13), 'E', t(8, 10), t(8, 20)],
      [t(8, 17), 'F', t(8, 10), t(8, 18)],
      [t(8, 17), 'F', t(8, 10), t(8, 20)],
    ]);
  });

  it('aligned windows emit late rows as Flink does (the TVF is stateless) and drop NULL rowtimes', () => {
    const h = harness({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 });
    h.processWatermark(t(9, 0));
    feed(h, [
      [t(8, 5), 400n, 'C'],
      [null, 1n, 'no time'],
    ]);
    expect(rows(h)).toEqual([[t(8, 5), 'C', t(8, 0), t(8, 10)]]);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(0);
    expect(h.metrics.get('numNullRowTimeRecordsDropped')).toBe(1);
  });

  it('windows before the epoch and with an offset align as TimeWindow.getWindowStartWithOffset', () => {
    const h = harness({ kind: 'TUMBLE', size: 10, offset: 3 });
    feed(h, [
      [-1, 1n, 'a'],
      [3, 1n, 'b'],
      [12, 1n, 'c'],
    ]);
    expect(rows(h)).toEqual([
      [-1, 'a', -7, 3],
      [3, 'b', 3, 13],
      [12, 'c', 3, 13],
    ]);
  });

  it('SESSION buffers rows per partition key and emits each session when the watermark passes its end - 1', () => {
    const h = harness({ kind: 'SESSION', gap: 5 * MIN }, [2]);
    feed(h, [
      [t(8, 5), 400n, 'A'],
      [t(8, 9), 500n, 'B'],
      [t(8, 7), 200n, 'A'],
      [t(8, 11), 300n, 'B'],
    ]);
    h.processWatermark(t(8, 12) - 1);
    expect(rows(h)).toEqual([
      [t(8, 5), 'A', t(8, 5), t(8, 12)],
      [t(8, 7), 'A', t(8, 5), t(8, 12)],
    ]);
    h.clearOutput();
    // Late for A's fired session; B's session [8:09, 8:16) is still open and takes 8:13.
    feed(h, [
      [t(8, 6), 1n, 'A'],
      [t(8, 13), 100n, 'B'],
    ]);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.processWatermark(t(8, 30));
    expect(rows(h)).toEqual([
      [t(8, 9), 'B', t(8, 9), t(8, 18)],
      [t(8, 11), 'B', t(8, 9), t(8, 18)],
      [t(8, 13), 'B', t(8, 9), t(8, 18)],
    ]);
    expect(h.getOutput().at(-1)).toEqual(watermark(t(8, 30)));
  });

  it('SESSION merges two buffered sessions bridged by a row, keeping arrival order, and restores from a snapshot', () => {
    const h = harness({ kind: 'SESSION', gap: 5 * MIN });
    feed(h, [
      [t(8, 0), 1n, 'first'],
      [t(8, 10), 2n, 'second'],
    ]);
    const restored = harness({ kind: 'SESSION', gap: 5 * MIN }, undefined, h.snapshot());
    feed(restored, [[t(8, 5), 3n, 'bridge']]);
    restored.endInput();
    expect(rows(restored)).toEqual([
      [t(8, 0), 'first', t(8, 0), t(8, 15)],
      [t(8, 10), 'second', t(8, 0), t(8, 15)],
      [t(8, 5), 'bridge', t(8, 0), t(8, 15)],
    ]);
  });

  it('over a PROCTIME attribute assigns windows by arrival time, and SESSIONs fire on processing time', () => {
    const s = Schema.of(['proc', Types.TIMESTAMP_LTZ(3, false, 'proctime')], ['v', Types.INT()]);
    const o = new Schema([...s.fields, ...out.fields.slice(3)]);
    const make = (window: WindowSpec): OperatorTestHarness =>
      new OperatorTestHarness(
        new WindowTableFunctionOperator({
          name: 'WindowTableFunction',
          inputSchema: s,
          window,
          timeCol: 0,
          outputSchema: o,
        }),
        {
          inputs: [s],
          startTime: 1234,
        },
      ).open();
    const tumble = make({ kind: 'TUMBLE', size: 1000, offset: 0 });
    tumble.processElement([0, 1]);
    expect(tumble.extractRows()).toEqual([[0, 1, 1000, 2000, 1999]]);
    const session = make({ kind: 'SESSION', gap: 5 });
    session.processElement([0, 1]);
    session.setProcessingTime(1237);
    session.processElement([0, 2]);
    session.setProcessingTime(1240);
    expect(session.extractRows()).toEqual([]);
    session.setProcessingTime(1241);
    expect(session.extractRows()).toEqual([
      [0, 1, 1234, 1242, 1241],
      [0, 2, 1234, 1242, 1241],
    ]);
  });

  it('windowsOf lists the windows of a timestamp as the operator assigns them', () => {
    expect(windowsOf({ kind: 'HOP', size: 10, slide: 4, offset: 0 }, 9)).toEqual([
      { start: 8, end: 18 },
      { start: 4, end: 14 },
      { start: 0, end: 10 },
    ]);
    expect(windowsOf({ kind: 'CUMULATE', maxSize: 6, step: 2, offset: 0 }, 3)).toEqual([
      { start: 0, end: 4 },
      { start: 0, end: 6 },
    ]);
  });

  it('rejects updates, naming the operator', () => {
    const h = harness({ kind: 'TUMBLE', size: MIN, offset: 0 });
    expect(() => h.processElement([0, 1n, 'a'], null, 0, RowKind.DELETE)).toThrow(
      /WindowTableFunction: a window table function takes an insert-only input, but got a -D row/,
    );
  });
});
