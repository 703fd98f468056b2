// SQL keys and the hash exchange: a SQL operator keys its state with columnsKeySelector, and the exchange in front of
// it routes rows with the same selector's hashCodesOf (the per-batch fast path) or, without it, javaHashCode of each
// key. Both must agree for every column layout, or a row would reach a subtask whose state does not hold its key.
import { describe, expect, it } from 'vitest';
import { batchFromRows, type RecordBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { javaHashCode, type Key } from '../../../executor/runtime/key.js';
import { columnsKeySelector } from '../../../executor/sql/keys.js';
import { Types, type LogicalType } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';

function batchOf(type: LogicalType, values: readonly Value[]): RecordBatch {
  const schema = new Schema([
    { name: 'pad', type: Types.INT() },
    { name: 'k', type },
  ]);
  return batchFromRows(
    schema,
    values.map((v, i) => [i, v]),
  );
}

function expectAgreement(batch: RecordBatch): void {
  const sel = columnsKeySelector([1], ['k']);
  const keys = sel.keysOf(batch);
  const fast = new Int32Array(batch.length);
  expect(sel.hashCodesOf).toBeDefined();
  sel.hashCodesOf?.(batch, fast);
  expect([...fast]).toEqual(keys.map((k) => javaHashCode(k as Key)));
}

describe('columnsKeySelector.hashCodesOf', () => {
  it('agrees with javaHashCode of the keys for every single-column layout', () => {
    expectAgreement(batchOf(Types.TINYINT(), [1, -1, null, 127]));
    expectAgreement(batchOf(Types.SMALLINT(), [300, -300, null]));
    expectAgreement(batchOf(Types.INT(), [0, -1, 2_000_000_000, null, -2_147_483_648]));
    expectAgreement(batchOf(Types.FLOAT(), [1.5, -0.25, null]));
    expectAgreement(batchOf(Types.DOUBLE(), [1.5, -0.0, 1e300, null, Number.NaN]));
    expectAgreement(batchOf(Types.STRING(), ['a', '', 'héllo', null, 'x'.repeat(40)]));
    // BIGINT as exact doubles (f64), and wide (i64: a value beyond 2^53), where small values are normalized to
    // numbers so that -1 keys the same in both layouts; the raw bigint would hash as Long.hashCode(-1) = 0.
    const narrow = batchOf(Types.BIGINT(), [-1n, 5n, 1_700_000_000_000n, null]);
    const wide = batchOf(Types.BIGINT(), [-1n, 5n, 1_700_000_000_000n, null, 1n << 60n]);
    expect(narrow.columns[1]?.kind).toBe('f64');
    expect(wide.columns[1]?.kind).toBe('i64');
    expectAgreement(narrow);
    expectAgreement(wide);
    const h = (b: RecordBatch): number[] => {
      const out = new Int32Array(b.length);
      columnsKeySelector([1], ['k']).hashCodesOf?.(b, out);
      return [...out.slice(0, 4)];
    };
    expect(h(wide)).toEqual(h(narrow));
  });
});
