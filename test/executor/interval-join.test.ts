// The interval join under the two-input harness: pairs within [lower, upper] per key, output stamped with the
// later timestamp, buffers cleaned up by event-time timers, late rows dropped and counted, and a restore from a
// snapshot that still joins with the buffered side.
import { describe, expect, it } from 'vitest';
import {
  IntervalJoinOperator,
  OperatorTestHarness,
  Schema,
  Types,
  fieldKeySelector,
  record,
  watermark,
} from '../../executor/index.js';

const side = Schema.of(['k', Types.STRING()], ['v', Types.INT()]);
const out = Schema.of(['l', Types.INT()], ['r', Types.INT()]);

function harness(restoreFrom?: Uint8Array): OperatorTestHarness {
  const key = fieldKeySelector(0, 'k');
  const op = new IntervalJoinOperator('IntervalJoin', out, [key, key], -2, 3, (l, r, o) => o.collect([l[1] as number, r[1] as number]));
  return new OperatorTestHarness(op, { inputs: [side, side], ...(restoreFrom === undefined ? {} : { restoreFrom }) }).open();
}

describe('interval join', () => {
  it('joins rows of a key whose timestamps are within [left - 2, left + 3]', () => {
    const h = harness();
    h.processElement(['a', 1], 10, 0);
    h.processElement(['a', 100], 7, 1); // 10 - 3: outside
    h.processElement(['a', 101], 8, 1); // 10 - 2: inside
    h.processElement(['a', 102], 13, 1); // 10 + 3: inside
    h.processElement(['b', 103], 10, 1); // other key
    h.processElement(['a', 2], 11, 0); // matches right rows in [9, 14]: 102 only
    expect(h.getOutput()).toEqual([record([1, 101], 10), record([1, 102], 13), record([2, 102], 13)]);
  });

  it('drops rows behind the watermark and cleans buffers once nothing can match them', () => {
    const h = harness();
    h.processElement(['a', 1], 10, 0).processWatermark(20);
    h.processElement(['a', 2], 12, 1);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.processElement(['a', 3], 25, 1).processElement(['a', 4], 23, 0);
    expect(h.getOutput()).toEqual([watermark(20), record([4, 3], 25)]);
  });

  it('restores its buffers from a snapshot', () => {
    const h = harness();
    h.processElement(['a', 1], 10, 0);
    const restored = harness(h.snapshot());
    restored.processElement(['a', 9], 12, 1);
    expect(restored.extractRows()).toEqual([[1, 9]]);
  });
});
