// The SQL interval join under the two-input harness, against Flink's TimeIntervalJoin / RowTimeIntervalJoin
// (flink-table-runtime, operators/join/interval): bounds inclusive at both edges, rows cached while the other
// side can still match them, outer rows NULL-padded when their cleanup timer (row time + relative size +
// half the window + 1) fires or a probe of the other side finds them expired, rows too late to be cached
// joined against what is still cached, and the output watermark held back by max(-lower, upper)
// (KeyedCoProcessOperatorWithWatermarkDelay).
import { describe, expect, it } from 'vitest';
import { batchFromRows, MAX_WATERMARK } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { IntervalJoinOperator, type IntervalJoinConfig } from '../../../executor/sql/interval-join.js';
import type { JoinCondition } from '../../../executor/sql/join-common.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';

const L = Schema.of(['id', Types.INT()], ['lv', Types.STRING()], ['lts', Types.TIMESTAMP(3)]);
const R = Schema.of(['rid', Types.INT()], ['rv', Types.STRING()], ['rts', Types.TIMESTAMP(3)]);
const LR = new Schema([...L.fields, ...R.fields]);

// l.lts BETWEEN r.rts - INTERVAL '10' SECOND AND r.rts + INTERVAL '5' SECOND
const BOUNDS = { lowerBound: -10_000, upperBound: 5_000 };

function join(
  type: IntervalJoinConfig['type'],
  extra: Partial<IntervalJoinConfig> = {},
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new IntervalJoinOperator({
    name: `${type} interval join`,
    type,
    leftSchema: L,
    rightSchema: R,
    leftKeys: [0],
    rightKeys: [0],
    leftTime: 2,
    rightTime: 2,
    ...BOUNDS,
    condition: null,
    outputSchema: LR,
    ...extra,
  });
  return new OperatorTestHarness(op, {
    inputs: [L, R],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function push(h: OperatorTestHarness, input: 0 | 1, ...rows: Value[][]): OperatorTestHarness {
  return h.processBatch(batchFromRows(input === 0 ? L : R, rows), input);
}

/** Output so far ('kind(v, …)' rows and 'wm n' watermarks), then cleared. */
function changelog(h: OperatorTestHarness): string[] {
  const out = h
    .getOutput()
    .map((e) =>
      e.kind === 'record'
        ? `${e.rowKind}(${e.row.map(String).join(', ')})`
        : e.kind === 'watermark'
          ? `wm ${e.timestamp}`
          : '',
    );
  h.clearOutput();
  return out;
}

describe('interval join', () => {
  it('matches lowerBound <= l.ts - r.ts <= upperBound, both edges included', () => {
    const h = join('INNER');
    push(h, 1, [1, 'r', 20_000]);
    push(
      h,
      0,
      [1, 'lo', 10_000],
      [1, 'below', 9_999],
      [1, 'hi', 25_000],
      [1, 'above', 25_001],
      [2, 'other', 20_000],
    );
    expect(changelog(h)).toEqual(['+I(1, lo, 10000, 1, r, 20000)', '+I(1, hi, 25000, 1, r, 20000)']);
    // And from the right: a right row joins cached left rows in [r - 10 s, r + 5 s].
    push(h, 1, [1, 'r2', 15_001]);
    expect(changelog(h)).toEqual(['+I(1, lo, 10000, 1, r2, 15001)', '+I(1, below, 9999, 1, r2, 15001)']);
  });

  it('never matches NULL keys', () => {
    const h = join('INNER');
    push(h, 1, [null, 'r', 1000]);
    push(h, 0, [null, 'l', 1000]);
    expect(changelog(h)).toEqual([]);
  });

  it('holds the output watermark back by max(-lower, upper) and passes the end of input through', () => {
    const h = join('INNER');
    h.processWatermark(20_000);
    h.processWatermark(MAX_WATERMARK);
    expect(changelog(h)).toEqual(['wm 10000', `wm ${MAX_WATERMARK}`]);
    const shifted = join('INNER', { lowerBound: 1000, upperBound: 3000 });
    shifted.processWatermark(20_000);
    expect(changelog(shifted)).toEqual(['wm 17000']);
  });

  it('LEFT: pads an unmatched left row when its cleanup timer fires (row time + 10 s + 7.5 s + 1 ms)', () => {
    const h = join('LEFT');
    push(h, 0, [1, 'a', 1000], [1, 'b', 1000]);
    push(h, 1, [1, 'x', 5000], [2, 'y', 1000]);
    expect(changelog(h)).toEqual(['+I(1, a, 1000, 1, x, 5000)', '+I(1, b, 1000, 1, x, 5000)']);
    push(h, 0, [2, 'c', 9000]);
    // (2, c) joins (2, y) at 1000? 9000 - 1000 = 8000 > 5000: no.
    h.processWatermark(18_500);
    expect(changelog(h)).toEqual(['wm 8500']);
    h.processWatermark(18_501);
    // The timer of key 1 removes a and b (joined: no padding); key 2's timer is at 9000 + 17501.
    expect(changelog(h)).toEqual(['wm 8501']);
    h.processWatermark(26_501);
    expect(changelog(h)).toEqual(['+I(2, c, 9000, null, null, null)', 'wm 16501']);
    expect((h.operator as IntervalJoinOperator).cachedRows()).toEqual([0, 0]);
  });

  it('LEFT: a probe of the other side pads expired rows before their timer', () => {
    const h = join('LEFT');
    push(h, 0, [1, 'a', 1000]);
    h.processWatermark(12_000);
    // Left rows at or before 12000 - 10000 - 1 have expired; the right row's probe removes and pads them.
    push(h, 1, [1, 'x', 13_000]);
    expect(changelog(h)).toEqual(['wm 2000', '+I(1, a, 1000, null, null, null)']);
    expect((h.operator as IntervalJoinOperator).cachedRows()).toEqual([0, 1]);
  });

  it('RIGHT and FULL pad the right side the same way', () => {
    const right = join('RIGHT');
    push(right, 1, [1, 'x', 1000]);
    push(right, 0, [3, 'z', 1000]);
    // A right row is cached until the watermark passes 1000 + 5000; its timer is at 1000 + 5000 + 7500 + 1.
    right.processWatermark(13_501);
    expect(changelog(right)).toEqual(['+I(null, null, null, 1, x, 1000)', 'wm 3501']);
    const full = join('FULL');
    push(full, 1, [1, 'x', 1000]);
    push(full, 0, [3, 'z', 1000]);
    full.processWatermark(MAX_WATERMARK);
    expect(changelog(full)).toEqual([
      '+I(null, null, null, 1, x, 1000)',
      '+I(3, z, 1000, null, null, null)',
      `wm ${MAX_WATERMARK}`,
    ]);
  });

  it('joins a row too late to be cached against what is still cached, pads it if outer, else drops it', () => {
    const inner = join('INNER');
    push(inner, 1, [1, 'x', 14_000]);
    inner.processWatermark(20_000);
    // l at 9000 may match r in [4000, 19000]; 20000 >= 9000 + 10000, so it is not cached, but x still is.
    push(inner, 0, [1, 'a', 9000], [1, 'b', 1000]);
    expect(changelog(inner)).toEqual(['wm 10000', '+I(1, a, 9000, 1, x, 14000)']);
    expect(inner.metrics.get('numLateRecordsDropped')).toBe(1);
    const left = join('LEFT');
    left.processWatermark(20_000);
    push(left, 0, [1, 'b', 1000]);
    expect(changelog(left)).toEqual(['wm 10000', '+I(1, b, 1000, null, null, null)']);
    expect(left.metrics.get('numLateRecordsDropped')).toBe(0);
  });

  it('rejects retractions: interval joins take insert-only input', () => {
    const h = join('INNER');
    expect(() => h.processBatch(batchFromRows(L, [[1, 'a', 1]], [RowKind.DELETE]), 0)).toThrow(/insert-only/);
  });

  it('applies the non-equi condition once per batch, and an outer row that only failed it is padded', () => {
    let calls = 0;
    const sameValue: JoinCondition = (pairs) => {
      calls++;
      const lv = pairs.columns[1] as { values: string[] };
      const rv = pairs.columns[4] as { values: string[] };
      return Uint8Array.from({ length: pairs.length }, (_, i) => (lv.values[i] === rv.values[i] ? 1 : 0));
    };
    const h = join('LEFT', { condition: sameValue });
    push(h, 1, [1, 'a', 1000], [1, 'b', 1000]);
    push(h, 0, [1, 'a', 2000], [1, 'c', 2000], [1, 'b', 3000]);
    expect(calls).toBe(1);
    h.processWatermark(MAX_WATERMARK);
    expect(changelog(h)).toEqual([
      '+I(1, a, 2000, 1, a, 1000)',
      '+I(1, b, 3000, 1, b, 1000)',
      '+I(1, c, 2000, null, null, null)',
      `wm ${MAX_WATERMARK}`,
    ]);
  });

  it('restores caches and cleanup timers from a snapshot', () => {
    const h = join('FULL');
    push(h, 0, [1, 'a', 1000], [2, 'b', 1000]);
    const restored = join('FULL', {}, h.snapshot());
    push(restored, 1, [1, 'x', 2000]);
    expect(changelog(restored)).toEqual(['+I(1, a, 1000, 1, x, 2000)']);
    restored.processWatermark(18_501);
    expect(changelog(restored)).toEqual(['+I(2, b, 1000, null, null, null)', 'wm 8501']);
    restored.processWatermark(MAX_WATERMARK);
    expect(changelog(restored)).toEqual([`wm ${MAX_WATERMARK}`]);
    expect((restored.operator as IntervalJoinOperator).cachedRows()).toEqual([0, 0]);
  });
});
