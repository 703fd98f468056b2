// Cross-checks of the aggregate accumulators (aggregates.ts) written independently of its own tests, against
// Flink's functions: SumWithRetractAggFunction, MinWithRetractAggFunction, FirstValueWithRetractAggFunction,
// ListAggWithRetractAggFunction, AvgAggFunction, and Calcite's AggregateReduceFunctionsRule for the variance family.
import { describe, expect, it } from 'vitest';
import { batchFromRows, type RecordBatch } from '../../../executor/batch/batch.js';
import { ColumnBuilder, type Value } from '../../../executor/batch/column.js';
import { Types, type LogicalType } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import { createAggsHandle, type AggCall, type AggKind } from '../../../executor/sql/aggregates.js';

function call(kind: AggKind, args: number[], resultType: LogicalType, extra: Partial<AggCall> = {}): AggCall {
  return {
    kind,
    args,
    distinct: false,
    filterArg: -1,
    resultType,
    name: `${kind}_${args.join('_')}`,
    ...extra,
  };
}
function run(schema: Schema, calls: AggCall[], rows: Value[][], retract: number[] = []): Value[] {
  const h = createAggsHandle(calls, schema);
  const acc = h.createAccumulators();
  const b = batchFromRows(schema, rows);
  for (let r = 0; r < b.length; r++) h.accumulate(acc, b, r);
  for (const r of retract) h.retract(acc, b, r);
  return h.getValues(acc);
}

describe('aggregate accumulators (helper cross-check)', () => {
  it('COUNT(*), COUNT(x), SUM/AVG ignore NULLs', () => {
    const s = Schema.of(['x', Types.INT()]);
    expect(
      run(
        s,
        [
          call('COUNT', [], Types.BIGINT(false)),
          call('COUNT', [0], Types.BIGINT(false)),
          call('SUM', [0], Types.INT()),
          call('AVG', [0], Types.INT()),
        ],
        [[1], [null], [4], [2]],
      ),
    ).toEqual([4n, 3n, 7, 2]);
  });
  it('AVG negative truncates toward zero; AVG(DOUBLE) double', () => {
    const s = Schema.of(['x', Types.BIGINT()], ['d', Types.DOUBLE()]);
    expect(
      run(
        s,
        [call('AVG', [0], Types.BIGINT()), call('AVG', [1], Types.DOUBLE())],
        [
          [-7n, 1],
          [0n, 2],
        ],
      ),
    ).toEqual([-3n, 1.5]);
  });
  it('BIGINT SUM/AVG exact past 2^53', () => {
    const s = Schema.of(['x', Types.BIGINT()]);
    const big = 2n ** 53n;
    expect(
      run(
        s,
        [
          call('SUM', [0], Types.BIGINT()),
          call('AVG', [0], Types.BIGINT()),
          call('MAX', [0], Types.BIGINT()),
        ],
        [[big], [1n], [1n], [big + 3n]],
      ),
    ).toEqual([2n * big + 5n, (2n * big + 5n) / 4n, big + 3n]);
    expect(run(s, [call('SUM', [0], Types.BIGINT())], [[big], [1n], [big + 3n]], [0, 2])).toEqual([1n]);
  });
  it('SUM(BIGINT) wraps on 64-bit overflow', () => {
    const s = Schema.of(['x', Types.BIGINT()]);
    expect(run(s, [call('SUM', [0], Types.BIGINT())], [[2n ** 63n - 1n], [1n]])).toEqual([-(2n ** 63n)]);
  });
  it('SUM(INT) wraps like Java int', () => {
    const s = Schema.of(['x', Types.INT()]);
    expect(run(s, [call('SUM', [0], Types.INT())], [[2147483647], [1]])).toEqual([-2147483648]);
  });
  it('DECIMAL SUM exact; AVG HALF_UP at result scale', () => {
    const s = Schema.of(['p', Types.DECIMAL(10, 2)]);
    expect(
      run(
        s,
        [call('SUM', [0], Types.DECIMAL(38, 2)), call('AVG', [0], Types.DECIMAL(38, 6))],
        [[100n], [200n], [201n]],
      ),
    ).toEqual([501n, 1670000n]);
    expect(run(s, [call('AVG', [0], Types.DECIMAL(38, 6))], [[100n], [0n], [0n]])).toEqual([333333n]);
    expect(run(s, [call('AVG', [0], Types.DECIMAL(38, 6))], [[200n], [0n], [0n]])).toEqual([666667n]);
    expect(run(s, [call('AVG', [0], Types.DECIMAL(38, 6))], [[-200n], [0n], [0n]])).toEqual([-666667n]);
  });
  it('DECIMAL(38) past 2^64', () => {
    const s = Schema.of(['p', Types.DECIMAL(38, 0)]);
    const v = 10n ** 30n;
    expect(run(s, [call('SUM', [0], Types.DECIMAL(38, 0))], [[v], [v], [1n]])).toEqual([2n * v + 1n]);
  });
  it('SUM NULL after all retracted; SUM0 0', () => {
    const s = Schema.of(['x', Types.INT()]);
    const calls = [
      call('SUM', [0], Types.INT()),
      call('SUM0', [0], Types.INT(false)),
      call('COUNT', [0], Types.BIGINT(false)),
    ];
    expect(run(s, calls, [[3], [-3]])).toEqual([0, 0, 2n]);
    expect(run(s, calls, [[3], [-3]], [0, 1])).toEqual([null, 0, 0n]);
  });
  it('MIN/MAX with retraction', () => {
    const s = Schema.of(['x', Types.INT()]);
    const calls = [call('MIN', [0], Types.INT()), call('MAX', [0], Types.INT())];
    expect(run(s, calls, [[5], [1], [9], [1]], [1])).toEqual([1, 9]);
    expect(run(s, calls, [[5], [1], [9], [1]], [1, 3, 2])).toEqual([5, 5]);
    expect(run(s, calls, [[5]], [0])).toEqual([null, null]);
  });
  it('MIN/MAX strings by code point, timestamps, decimals', () => {
    const s = Schema.of(['s', Types.STRING()], ['t', Types.TIMESTAMP(3)], ['d', Types.DECIMAL(20, 2)]);
    const out = run(
      s,
      [
        call('MIN', [0], Types.STRING()),
        call('MAX', [0], Types.STRING()),
        call('MIN', [1], Types.TIMESTAMP(3)),
        call('MAX', [1], Types.TIMESTAMP(3)),
        call('MIN', [2], Types.DECIMAL(20, 2)),
        call('MAX', [2], Types.DECIMAL(20, 2)),
      ],
      [
        ['\uFF21', 2000, 12345678901234567n],
        ['\u{1F600}', 1000, -5n],
        ['b', 3000, 7n],
      ],
    );
    expect(out).toEqual(['b', '\u{1F600}', 1000, 3000, -5n, 12345678901234567n]);
  });
  it('DISTINCT with retraction of a duplicate', () => {
    const s = Schema.of(['x', Types.INT()]);
    const calls = [
      call('COUNT', [0], Types.BIGINT(false), { distinct: true }),
      call('SUM', [0], Types.INT(), { distinct: true }),
    ];
    expect(run(s, calls, [[1], [2], [2], [null], [3]])).toEqual([3n, 6]);
    expect(run(s, calls, [[1], [2], [2], [3]], [1])).toEqual([3n, 6]);
    expect(run(s, calls, [[1], [2], [2], [3]], [1, 2])).toEqual([2n, 4]);
  });
  it('COUNT(DISTINCT a, b)', () => {
    const s = Schema.of(['a', Types.INT()], ['b', Types.STRING()]);
    expect(
      run(
        s,
        [call('COUNT', [0, 1], Types.BIGINT(false), { distinct: true })],
        [
          [1, 'x'],
          [1, 'x'],
          [1, 'y'],
          [null, 'y'],
          [2, 'x'],
        ],
      ),
    ).toEqual([3n]);
  });
  it('FILTER', () => {
    const s = Schema.of(['x', Types.INT()], ['p', Types.BOOLEAN()]);
    expect(
      run(
        s,
        [
          call('COUNT', [], Types.BIGINT(false), { filterArg: 1 }),
          call('SUM', [0], Types.INT(), { filterArg: 1 }),
          call('COUNT', [], Types.BIGINT(false)),
        ],
        [
          [1, true],
          [2, false],
          [4, null],
          [8, true],
        ],
      ),
    ).toEqual([2n, 9, 4n]);
  });
  it('FIRST/LAST_VALUE skip NULLs, recover after retraction', () => {
    const s = Schema.of(['x', Types.STRING()]);
    const calls = [call('FIRST_VALUE', [0], Types.STRING()), call('LAST_VALUE', [0], Types.STRING())];
    expect(run(s, calls, [[null], ['a'], ['b'], ['c'], [null]])).toEqual(['a', 'c']);
    expect(run(s, calls, [['a'], ['b'], ['c']], [0, 2])).toEqual(['b', 'b']);
  });
  it('LISTAGG', () => {
    const s = Schema.of(['x', Types.STRING()]);
    expect(run(s, [call('LISTAGG', [0], Types.STRING())], [['a'], [null], ['b']])).toEqual(['a,b']);
    expect(
      run(s, [call('LISTAGG', [0], Types.STRING(), { separator: '|' })], [['a'], ['b'], ['a']], [0]),
    ).toEqual(['b|a']);
    expect(run(s, [call('LISTAGG', [0], Types.STRING())], [[null]])).toEqual([null]);
  });
  it('variance family over INT truncates (AggregateReduceFunctionsRule), DOUBLE does not', () => {
    const s = Schema.of(['x', Types.INT()], ['d', Types.DOUBLE()]);
    const out = run(
      s,
      [
        call('VAR_POP', [0], Types.INT()),
        call('VAR_SAMP', [0], Types.INT()),
        call('STDDEV_POP', [0], Types.INT()),
        call('STDDEV_SAMP', [0], Types.INT()),
        call('VAR_POP', [1], Types.DOUBLE()),
        call('STDDEV_SAMP', [1], Types.DOUBLE()),
      ],
      [
        [1, 1],
        [2, 2],
        [4, 4],
      ],
    );
    expect(out.slice(0, 4)).toEqual([1, 2, 1, 1]);
    expect(out[4]).toBeCloseTo(14 / 9, 12);
    expect(out[5]).toBeCloseTo(Math.sqrt(7 / 3), 12);
    expect(run(s, [call('VAR_SAMP', [1], Types.DOUBLE())], [[1, 1]])).toEqual([null]);
  });
  it('BOOL_AND/OR', () => {
    const s = Schema.of(['b', Types.BOOLEAN()]);
    const calls = [call('BOOL_AND', [0], Types.BOOLEAN()), call('BOOL_OR', [0], Types.BOOLEAN())];
    expect(run(s, calls, [[true], [null], [false]])).toEqual([false, true]);
    expect(run(s, calls, [[true], [false]], [1])).toEqual([true, true]);
    expect(run(s, calls, [[null]])).toEqual([null, null]);
  });
  it('wide i64 batches read the same as exact-double ones', () => {
    const s = Schema.of(['x', Types.BIGINT()]);
    const h = createAggsHandle(
      [call('SUM', [0], Types.BIGINT()), call('COUNT', [0], Types.BIGINT(false), { distinct: true })],
      s,
    );
    const acc = h.createAccumulators();
    const narrow = batchFromRows(s, [[5n]]);
    const wide = batchFromRows(s, [[5n], [2n ** 60n]]);
    h.accumulate(acc, narrow, 0);
    h.accumulate(acc, wide, 0);
    h.accumulate(acc, wide, 1);
    expect(h.getValues(acc)).toEqual([10n + 2n ** 60n, 2n]);
  });
  it('merge: DISTINCT, MIN, LAST_VALUE, AVG; insert-only handle refuses retract', () => {
    const s = Schema.of(['x', Types.INT()]);
    const h = createAggsHandle(
      [
        call('COUNT', [0], Types.BIGINT(false), { distinct: true }),
        call('MIN', [0], Types.INT()),
        call('LAST_VALUE', [0], Types.INT()),
        call('AVG', [0], Types.INT()),
      ],
      s,
      { retraction: false },
    );
    const a = h.createAccumulators();
    const b = h.createAccumulators();
    const batch = batchFromRows(s, [[3], [4], [4], [1]]);
    h.accumulate(a, batch, 0);
    h.accumulate(a, batch, 1);
    h.accumulate(b, batch, 2);
    h.accumulate(b, batch, 3);
    h.merge(a, b);
    expect(h.getValues(a)).toEqual([3n, 1, 1, 3]);
    expect(() => h.retract(a, batch, 0)).toThrow();
  });
  it('writeValues/equalValues', () => {
    const s = Schema.of(['x', Types.INT()]);
    const h = createAggsHandle([call('SUM', [0], Types.INT()), call('COUNT', [], Types.BIGINT(false))], s);
    const a = h.createAccumulators();
    const b = h.createAccumulators();
    const batch: RecordBatch = batchFromRows(s, [[2], [0]]);
    h.accumulate(a, batch, 0);
    h.accumulate(b, batch, 0);
    expect(h.equalValues(a, b)).toBe(true);
    h.accumulate(b, batch, 1);
    expect(h.equalValues(a, b)).toBe(false);
    const builders = [
      new ColumnBuilder(Types.STRING()),
      new ColumnBuilder(Types.INT()),
      new ColumnBuilder(Types.BIGINT(false)),
    ];
    h.writeValues(b, builders, 1);
    expect([builders[0]?.size, builders[1]?.size, builders[2]?.size]).toEqual([0, 1, 1]);
  });
});
