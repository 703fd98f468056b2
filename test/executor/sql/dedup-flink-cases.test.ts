// Flink's own harness cases for its deduplicate functions, replayed against DeduplicateOperator:
// ProcTimeDeduplicateKeepLastRowFunctionTest (rows (category, id, score) keyed by id; state TTL off, Flink's
// default, so an identical row changes nothing) and RowTimeDeduplicateFunctionTest (rows (key, v, rowtime) keyed by
// key; results updated at once, before and after a snapshot/restore; the TTL-expiry part of that test is left out
// since this engine has no state TTL for deduplication).
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, type HarnessEvent } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import { DeduplicateOperator } from '../../../executor/sql/deduplicate.js';

const procRows = Schema.of(['category', Types.STRING()], ['id', Types.BIGINT()], ['score', Types.INT()]);
const timeRows = Schema.of(['key', Types.STRING()], ['v', Types.INT()], ['rowtime', Types.BIGINT()]);

function dedup(
  schema: Schema,
  keys: number[],
  keepLastRow: boolean,
  isRowtime: boolean,
  generateUpdateBefore: boolean,
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new DeduplicateOperator({
    name: 'Deduplicate',
    inputSchema: schema,
    keys,
    keepLastRow,
    timeCol: 2,
    isRowtime,
    generateUpdateBefore,
    outputSchema: schema,
  });
  return new OperatorTestHarness(op, {
    inputs: [schema],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function log(events: readonly HarnessEvent[]): Value[][] {
  return events.map((e) =>
    e.kind === 'record' ? [e.rowKind, ...e.row] : e.kind === 'watermark' ? ['WM', e.timestamp] : ['status'],
  );
}

describe('ProcTimeDeduplicateKeepLastRowFunctionTest cases', () => {
  const rows = (...rs: [string, number, number][]): Value[][] => rs.map(([c, id, s]) => [c, BigInt(id), s]);

  it('testWithoutGenerateUpdateBefore', () => {
    const h = dedup(procRows, [1], true, false, false);
    h.processBatch(batchFromRows(procRows, rows(['book', 1, 12], ['book', 2, 11], ['book', 1, 13])));
    expect(log(h.getOutput())).toEqual([
      ['+I', 'book', 1n, 12],
      ['+I', 'book', 2n, 11],
      ['+U', 'book', 1n, 13],
    ]);
  });

  it('testWithStateTtlDisabled: an identical row is not re-emitted', () => {
    const h = dedup(procRows, [1], true, false, true);
    h.processBatch(batchFromRows(procRows, rows(['book', 1, 12], ['book', 2, 11], ['book', 1, 12])));
    expect(log(h.getOutput())).toEqual([
      ['+I', 'book', 1n, 12],
      ['+I', 'book', 2n, 11],
    ]);
  });
});

describe('RowTimeDeduplicateFunctionTest cases', () => {
  const rows = (...rs: [string, number, number][]): Value[][] => rs.map(([k, v, t]) => [k, v, BigInt(t)]);

  function run(keepLastRow: boolean, generateUpdateBefore: boolean, first: Value[][]): Value[][] {
    const h = dedup(timeRows, [0], keepLastRow, true, generateUpdateBefore);
    for (const r of first) h.processBatch(batchFromRows(timeRows, [r]));
    h.processWatermark(102);
    const out = log(h.getOutput());
    const r = dedup(timeRows, [0], keepLastRow, true, generateUpdateBefore, h.snapshot());
    for (const row of rows(['key1', 12, 300], ['key2', 11, 301], ['key3', 5, 299]))
      r.processBatch(batchFromRows(timeRows, [row]));
    r.processWatermark(302);
    return [...out, ...log(r.getOutput())];
  }

  it('testRowTimeDeduplicateKeepFirstRow', () => {
    const expected = [
      ['+I', 'key1', 13, 99n],
      ['+I', 'key2', 11, 101n],
      ['WM', 102],
      ['+I', 'key3', 5, 299n],
      ['WM', 302],
    ];
    const input = rows(['key1', 13, 99], ['key1', 13, 99], ['key1', 12, 100], ['key2', 11, 101]);
    expect(run(false, true, input)).toEqual(expected);
    expect(run(false, false, input)).toEqual(expected);
  });

  it('testRowTimeDeduplicateKeepLastRow, with and without update-before', () => {
    const input = rows(['key1', 13, 99], ['key1', 12, 100], ['key2', 11, 101]);
    expect(run(true, true, input)).toEqual([
      ['+I', 'key1', 13, 99n],
      ['-U', 'key1', 13, 99n],
      ['+U', 'key1', 12, 100n],
      ['+I', 'key2', 11, 101n],
      ['WM', 102],
      ['-U', 'key1', 12, 100n],
      ['+U', 'key1', 12, 300n],
      ['-U', 'key2', 11, 101n],
      ['+U', 'key2', 11, 301n],
      ['+I', 'key3', 5, 299n],
      ['WM', 302],
    ]);
    expect(run(true, false, input)).toEqual([
      ['+I', 'key1', 13, 99n],
      ['+U', 'key1', 12, 100n],
      ['+I', 'key2', 11, 101n],
      ['WM', 102],
      ['+U', 'key1', 12, 300n],
      ['+U', 'key2', 11, 301n],
      ['+I', 'key3', 5, 299n],
      ['WM', 302],
    ]);
  });
});
