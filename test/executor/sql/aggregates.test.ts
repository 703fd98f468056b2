// The accumulators of SQL aggregate calls: Flink's result types and NULL rules, exact BIGINT/DECIMAL sums past
// 2^53, integer AVG truncating, MIN/MAX with retraction (MinWithRetractAggFunction), DISTINCT, FILTER, merge.
import { describe, expect, it } from 'vitest';
import { batchFromRows, type RecordBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { Types, type LogicalType } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import {
  createAggsHandle,
  type AggCall,
  type AggKind,
  type AggsHandle,
  type AccState,
} from '../../../executor/sql/aggregates.js';

function call(kind: AggKind, args: number[], resultType: LogicalType, extra: Partial<AggCall> = {}): AggCall {
  return {
    kind,
    args,
    distinct: false,
    filterArg: -1,
    resultType,
    name: `${kind}(${args.join(',')})`,
    ...extra,
  };
}

/** Accumulates every row of `batch` (row kinds decide accumulate or retract) into one accumulator. */
function run(h: AggsHandle, batch: RecordBatch, acc: AccState = h.createAccumulators()): AccState {
  for (let r = 0; r < batch.length; r++) {
    if (batch.kinds[r] === 0 || batch.kinds[r] === 2) h.accumulate(acc, batch, r);
    else h.retract(acc, batch, r);
  }
  return acc;
}

const ints = Schema.of(
  ['i', Types.INT()],
  ['b', Types.BIGINT()],
  ['d', Types.DOUBLE()],
  ['f', Types.BOOLEAN()],
);

describe('aggregate accumulators', () => {
  it('COUNT(*), COUNT(x) skips NULLs, SUM/AVG of INT are INT and AVG truncates (IntAvgAggFunction)', () => {
    const h = createAggsHandle(
      [
        call('COUNT', [], Types.BIGINT(false)),
        call('COUNT', [0], Types.BIGINT(false)),
        call('SUM', [0], Types.INT()),
        call('AVG', [0], Types.INT()),
        call('AVG', [2], Types.DOUBLE()),
        call('SUM0', [0], Types.INT(false)),
      ],
      ints,
    );
    const b = batchFromRows(ints, [
      [1, 1n, 1.5, true],
      [2, 2n, 2.0, false],
      [null, null, null, null],
      [-8, 3n, 3.0, true],
    ]);
    // AVG(INT) over 1, 2, -8 = -5/3 = -1.67: Java long division truncates toward zero, -1.
    expect(h.getValues(run(h, b))).toEqual([4n, 3n, -5, -1, 6.5 / 3, -5]);
  });

  it('SUM over nothing (or everything retracted) is NULL, SUM0 is 0 (SumWithRetractAggFunction)', () => {
    const h = createAggsHandle(
      [
        call('SUM', [1], Types.BIGINT()),
        call('SUM0', [1], Types.BIGINT(false)),
        call('AVG', [1], Types.BIGINT()),
      ],
      ints,
    );
    const empty = h.createAccumulators();
    expect(h.getValues(empty)).toEqual([null, 0n, null]);
    const b = batchFromRows(
      ints,
      [
        [0, 5n, 0, true],
        [0, 5n, 0, true],
      ],
      [0, 3],
    );
    expect(h.getValues(run(h, b))).toEqual([null, 0n, null]);
  });

  it('keeps BIGINT sums exact past 2^53 and back', () => {
    const h = createAggsHandle([call('SUM', [1], Types.BIGINT()), call('AVG', [1], Types.BIGINT())], ints);
    const big = 2n ** 53n - 1n;
    const b = batchFromRows(ints, [
      [0, big, 0, true],
      [0, big, 0, true],
      [0, 3n, 0, true],
    ]);
    const acc = run(h, b);
    expect(h.getValues(acc)).toEqual([2n * big + 3n, (2n * big + 3n) / 3n]);
    run(h, batchFromRows(ints, [[0, big, 0, true]], [3]), acc);
    expect(h.getValues(acc)).toEqual([big + 3n, (big + 3n) / 2n]);
    // The accumulator stays a plain double-exact number once it is back in range.
    run(h, batchFromRows(ints, [[0, big, 0, true]], [3]), acc);
    expect(h.getValues(acc)).toEqual([3n, 3n]);
  });

  it('wraps SUM(INT) on overflow like Java int arithmetic and BIGINT like long', () => {
    const h = createAggsHandle([call('SUM', [0], Types.INT()), call('SUM', [1], Types.BIGINT())], ints);
    const b = batchFromRows(ints, [
      [2147483647, 2n ** 63n - 1n, 0, true],
      [1, 1n, 0, true],
    ]);
    expect(h.getValues(run(h, b))).toEqual([-2147483648, -(2n ** 63n)]);
  });

  it('DECIMAL: exact unscaled sums at scale s, AVG at DECIMAL(38, max(6, s)) rounding HALF_UP (DecimalAvg)', () => {
    const s = Schema.of(['m', Types.DECIMAL(20, 2)]);
    const h = createAggsHandle(
      [
        call('SUM', [0], Types.DECIMAL(38, 2)),
        call('AVG', [0], Types.DECIMAL(38, 6)),
        call('MAX', [0], Types.DECIMAL(20, 2)),
      ],
      s,
    );
    // 10.00, 0.01, 99999999999999999.99 (unscaled 9999999999999999999 > 2^53)
    const b = batchFromRows(s, [[1000n], [1n], [9999999999999999999n]]);
    const sum = 1000n + 1n + 9999999999999999999n;
    // AVG = sum / 3 at scale 6: unscaled sum * 10^4 / 3, half up.
    const avg = (sum * 10000n * 2n + 3n) / 6n;
    expect(h.getValues(run(h, b))).toEqual([sum, avg, 9999999999999999999n]);
    const h2 = createAggsHandle([call('AVG', [0], Types.DECIMAL(38, 6))], s);
    // 0.01 and 0.02: 0.015 exactly; 0.01, 0.01, 0.02 -> 0.013333(33) -> 0.013333
    expect(h2.getValues(run(h2, batchFromRows(s, [[1n], [1n], [2n]])))).toEqual([13333n]);
    expect(h2.getValues(run(h2, batchFromRows(s, [[-1n], [-2n]])))).toEqual([-15000n]);
  });

  it('MIN/MAX with retraction keep a count per value and recompute on retracting the extreme', () => {
    const s = Schema.of(['v', Types.STRING()]);
    const h = createAggsHandle([call('MIN', [0], Types.STRING()), call('MAX', [0], Types.STRING())], s);
    const acc = run(h, batchFromRows(s, [['b'], ['a'], ['c'], ['a']]));
    expect(h.getValues(acc)).toEqual(['a', 'c']);
    run(h, batchFromRows(s, [['a']], [1]), acc);
    expect(h.getValues(acc)).toEqual(['a', 'c']);
    run(h, batchFromRows(s, [['a'], ['c']], [1, 3]), acc);
    expect(h.getValues(acc)).toEqual(['b', 'b']);
    run(h, batchFromRows(s, [['b']], [3]), acc);
    expect(h.getValues(acc)).toEqual([null, null]);
  });

  it('orders strings by code point as Flink (UTF-8 bytes), not by UTF-16 units', () => {
    const s = Schema.of(['v', Types.STRING()]);
    const h = createAggsHandle([call('MIN', [0], Types.STRING()), call('MAX', [0], Types.STRING())], s, {
      retraction: false,
    });
    // U+FF61 < U+1F600 as code points, though its UTF-16 unit 0xFF61 > the surrogate 0xD83D.
    expect(h.getValues(run(h, batchFromRows(s, [['\uff61'], ['\u{1f600}']])))).toEqual([
      '\uff61',
      '\u{1f600}',
    ]);
  });

  it('MIN/MAX over timestamps with nanoseconds and over BIGINT past 2^53', () => {
    const s = Schema.of(['t', Types.TIMESTAMP(6)], ['b', Types.BIGINT()]);
    const h = createAggsHandle([call('MIN', [0], Types.TIMESTAMP(6)), call('MAX', [1], Types.BIGINT())], s);
    const b = batchFromRows(s, [
      [1_000_000_001n, 2n ** 60n],
      [1_000_000_000n, 2n ** 60n + 1n],
      [null, 5n],
    ]);
    expect(h.getValues(run(h, b))).toEqual([1_000_000_000n, 2n ** 60n + 1n]);
  });

  it('without retraction MIN/MAX refuse a retraction with the call named', () => {
    const h = createAggsHandle([call('MIN', [0], Types.INT())], ints, { retraction: false });
    expect(h.retractable).toBe(false);
    expect(() => run(h, batchFromRows(ints, [[1, 1n, 1, true]], [3]))).toThrow(
      /MIN \(MIN\(0\)\) cannot retract/,
    );
  });

  it('DISTINCT counts each value once and retracts it only with its last occurrence', () => {
    const h = createAggsHandle(
      [
        call('COUNT', [0], Types.BIGINT(false), { distinct: true }),
        call('SUM', [0], Types.INT(), { distinct: true }),
        call('COUNT', [0, 1], Types.BIGINT(false), { distinct: true }),
      ],
      ints,
    );
    const acc = run(
      h,
      batchFromRows(ints, [
        [1, 1n, 0, true],
        [1, 2n, 0, true],
        [2, 1n, 0, true],
        [null, 1n, 0, true],
      ]),
    );
    expect(h.getValues(acc)).toEqual([2n, 3, 3n]);
    run(h, batchFromRows(ints, [[1, 1n, 0, true]], [1]), acc);
    expect(h.getValues(acc)).toEqual([2n, 3, 2n]);
    run(h, batchFromRows(ints, [[1, 2n, 0, true]], [3]), acc);
    expect(h.getValues(acc)).toEqual([1n, 2, 1n]);
  });

  it('FILTER (WHERE f) skips rows whose filter is FALSE or NULL, for accumulate and retract alike', () => {
    const h = createAggsHandle(
      [
        call('COUNT', [], Types.BIGINT(false), { filterArg: 3 }),
        call('SUM', [0], Types.INT(), { filterArg: 3 }),
      ],
      ints,
    );
    const acc = run(
      h,
      batchFromRows(ints, [
        [1, 0n, 0, true],
        [10, 0n, 0, false],
        [100, 0n, 0, null],
        [1000, 0n, 0, true],
      ]),
    );
    expect(h.getValues(acc)).toEqual([2n, 1001]);
    run(
      h,
      batchFromRows(
        ints,
        [
          [10, 0n, 0, false],
          [1, 0n, 0, true],
        ],
        [1, 3],
      ),
      acc,
    );
    expect(h.getValues(acc)).toEqual([1n, 1000]);
  });

  it('FIRST_VALUE, LAST_VALUE and LISTAGG ignore NULLs and keep arrival order through retraction', () => {
    const s = Schema.of(['v', Types.STRING()]);
    const h = createAggsHandle(
      [
        call('FIRST_VALUE', [0], Types.STRING()),
        call('LAST_VALUE', [0], Types.STRING()),
        call('LISTAGG', [0], Types.STRING()),
        call('LISTAGG', [0], Types.STRING(), { separator: '|' }),
      ],
      s,
    );
    const acc = run(h, batchFromRows(s, [['a'], [null], ['b'], ['c']]));
    expect(h.getValues(acc)).toEqual(['a', 'c', 'a,b,c', 'a|b|c']);
    run(h, batchFromRows(s, [['a'], ['c']], [1, 3]), acc);
    expect(h.getValues(acc)).toEqual(['b', 'b', 'b', 'b']);
  });

  it('STDDEV/VAR follow the Calcite reduction: integer arithmetic for INT input, doubles for DOUBLE', () => {
    const h = createAggsHandle(
      [
        call('VAR_POP', [0], Types.INT()),
        call('VAR_SAMP', [0], Types.INT()),
        call('STDDEV_POP', [2], Types.DOUBLE()),
        call('STDDEV_SAMP', [2], Types.DOUBLE()),
        call('VAR_SAMP', [2], Types.DOUBLE()),
      ],
      ints,
    );
    // x = 1, 2, 4: SUM(x*x) = 21, SUM(x)^2 / COUNT = 49 / 3 = 16 (integer), VAR_POP = (21 - 16) / 3 = 1,
    // VAR_SAMP = 5 / 2 = 2. Over doubles: mean 7/3, population variance 14/9.
    const acc = run(
      h,
      batchFromRows(ints, [
        [1, 0n, 1, true],
        [2, 0n, 2, true],
        [4, 0n, 4, true],
      ]),
    );
    const [vp, vs, sp, ss, vsd] = h.getValues(acc) as number[];
    expect([vp, vs]).toEqual([1, 2]);
    expect(sp).toBeCloseTo(Math.sqrt(14 / 9), 12);
    expect(ss).toBeCloseTo(Math.sqrt(14 / 6), 12);
    expect(vsd).toBeCloseTo(14 / 6, 12);
    // One row: the sample variants divide by COUNT - 1 = 0 and are NULL.
    const one = run(h, batchFromRows(ints, [[3, 0n, 3, true]]));
    expect(h.getValues(one)).toEqual([0, null, 0, null, null]);
  });

  it('BOOL_AND / BOOL_OR retract', () => {
    const h = createAggsHandle(
      [call('BOOL_AND', [3], Types.BOOLEAN()), call('BOOL_OR', [3], Types.BOOLEAN())],
      ints,
    );
    const acc = run(
      h,
      batchFromRows(ints, [
        [0, 0n, 0, true],
        [0, 0n, 0, false],
        [0, 0n, 0, null],
      ]),
    );
    expect(h.getValues(acc)).toEqual([false, true]);
    run(h, batchFromRows(ints, [[0, 0n, 0, false]], [3]), acc);
    expect(h.getValues(acc)).toEqual([true, true]);
  });

  it('merge combines partial accumulators, DISTINCT values across both only once', () => {
    const h = createAggsHandle(
      [
        call('COUNT', [], Types.BIGINT(false)),
        call('SUM', [1], Types.BIGINT()),
        call('COUNT', [0], Types.BIGINT(false), { distinct: true }),
        call('MIN', [2], Types.DOUBLE()),
        call('FIRST_VALUE', [0], Types.INT()),
        call('LAST_VALUE', [0], Types.INT()),
      ],
      ints,
      { retraction: false },
    );
    const a = run(
      h,
      batchFromRows(ints, [
        [1, 2n ** 60n, 5, true],
        [2, 1n, 3, true],
      ]),
    );
    const b = run(
      h,
      batchFromRows(ints, [
        [2, 2n ** 60n, 4, true],
        [3, 1n, 1, true],
      ]),
    );
    const target = h.createAccumulators();
    h.merge(target, a);
    h.merge(target, b);
    const expected: Value[] = [4n, 2n ** 61n + 2n, 3n, 1, 1, 3];
    expect(h.getValues(target)).toEqual(expected);
    expect(h.equalValues(target, target)).toBe(true);
    expect(h.equalValues(target, a)).toBe(false);
  });
});
