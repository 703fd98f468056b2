// Streaming LIMIT/OFFSET (Flink: a Top-N on a constant key over an insert-only input, AppendOnlyFirstNFunction)
// and the temporal sort ORDER BY rowtime [, others] (Flink's RowTimeSortOperator: rows of one event time go out,
// sorted by the other keys, when the watermark passes it; a row at or before the last emitted time is late).
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, record, watermark } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import { LimitOperator, TemporalSortOperator } from '../../../executor/sql/sort-limit.js';

const schema = Schema.of(['ts', Types.TIMESTAMP(3)], ['name', Types.STRING()], ['v', Types.INT()]);
const rows = (from: number, to: number): Value[][] =>
  Array.from({ length: to - from }, (_, i) => [from + i, `r${from + i}`, from + i]);

function limit(offset: number, fetch: number, restoreFrom?: Uint8Array): OperatorTestHarness {
  return new OperatorTestHarness(new LimitOperator({ name: 'Limit', outputSchema: schema, offset, fetch }), {
    inputs: [schema],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

describe('LimitOperator', () => {
  it('passes the first rows, across batches, then nothing', () => {
    const h = limit(0, 3);
    h.processBatch(batchFromRows(schema, rows(0, 2)));
    h.processBatch(batchFromRows(schema, rows(2, 5)));
    h.processBatch(batchFromRows(schema, rows(5, 7)));
    expect(h.extractRows()).toEqual(rows(0, 3));
    expect(h.getOutput().every((e) => e.kind !== 'record' || e.rowKind === '+I')).toBe(true);
  });

  it('skips the offset first (LIMIT 2 OFFSET 3)', () => {
    const h = limit(3, 2);
    for (let i = 0; i < 8; i++) h.processBatch(batchFromRows(schema, rows(i, i + 1)));
    expect(h.extractRows()).toEqual(rows(3, 5));
    const one = limit(3, 2);
    one.processBatch(batchFromRows(schema, rows(0, 8)));
    expect(one.extractRows()).toEqual(rows(3, 5));
  });

  it('OFFSET without FETCH passes everything after the offset', () => {
    const h = limit(2, Infinity);
    h.processBatch(batchFromRows(schema, rows(0, 4)));
    expect(h.extractRows()).toEqual(rows(2, 4));
  });

  it('restores its count', () => {
    const h = limit(1, 2);
    h.processBatch(batchFromRows(schema, rows(0, 2)));
    const r = limit(1, 2, h.snapshot());
    r.processBatch(batchFromRows(schema, rows(2, 6)));
    expect(r.extractRows()).toEqual(rows(2, 3));
  });

  it('rejects an updating input', () => {
    expect(() => limit(0, 1).processBatch(batchFromRows(schema, rows(0, 1), [3]))).toThrow(/insert-only/);
  });
});

function sorter(
  secondary = [{ col: 2, descending: true, nullsFirst: false }],
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  return new OperatorTestHarness(
    new TemporalSortOperator({
      name: 'TemporalSort',
      inputSchema: schema,
      timeCol: 0,
      secondary,
      outputSchema: schema,
    }),
    {
      inputs: [schema],
      ...(restoreFrom === undefined ? {} : { restoreFrom }),
    },
  ).open();
}

describe('TemporalSortOperator', () => {
  it('emits rows in time order, then by the secondary keys, as the watermark passes them', () => {
    const h = sorter();
    h.processBatch(
      batchFromRows(schema, [
        [3, 'c', 1],
        [1, 'a', 1],
        [3, 'd', 5],
        [2, 'b', 1],
        [7, 'e', 1],
      ]),
    );
    h.processWatermark(3);
    expect(h.getOutput()).toEqual([
      record([1, 'a', 1]),
      record([2, 'b', 1]),
      record([3, 'd', 5]),
      record([3, 'c', 1]),
      watermark(3),
    ]);
    h.clearOutput().endInput();
    expect(h.extractRows()).toEqual([[7, 'e', 1]]);
  });

  it('keeps arrival order among equal keys without secondary keys', () => {
    const h = sorter([]);
    h.processBatch(
      batchFromRows(schema, [
        [5, 'x', 1],
        [5, 'y', 2],
        [4, 'z', 3],
      ]),
    ).endInput();
    expect(h.extractRows().map((r) => r[1])).toEqual(['z', 'x', 'y']);
  });

  it('drops rows at or before the last emitted time, but not rows merely behind the watermark', () => {
    const h = sorter();
    h.processBatch(batchFromRows(schema, [[5, 'a', 1]]));
    h.processWatermark(10);
    h.processBatch(
      batchFromRows(schema, [
        [5, 'late', 1],
        [4, 'late', 1],
        [8, 'kept', 1],
      ]),
    );
    expect(h.metrics.get('numLateRecordsDropped')).toBe(2);
    h.clearOutput().processWatermark(11);
    expect(h.getOutput()).toEqual([record([8, 'kept', 1]), watermark(11)]);
  });

  it('restores buffered rows and the last emitted time', () => {
    const h = sorter();
    h.processBatch(
      batchFromRows(schema, [
        [2, 'a', 1],
        [6, 'b', 1],
      ]),
    );
    h.processWatermark(3);
    const r = sorter(undefined, h.snapshot());
    r.processBatch(
      batchFromRows(schema, [
        [1, 'late', 1],
        [4, 'c', 1],
      ]),
    ).endInput();
    expect(r.extractRows().map((x) => x[1])).toEqual(['c', 'b']);
    expect(r.metrics.get('numLateRecordsDropped')).toBe(1);
  });
});
