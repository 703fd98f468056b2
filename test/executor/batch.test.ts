// Every logical type round-trips through a batch (values → columns → values) and through Arrow IPC bytes.
import { describe, expect, it } from 'vitest';
import {
  Schema,
  Types,
  RowKind,
  batchFromRows,
  batchToRows,
  batchFromIPC,
  batchToIPC,
  concatBatches,
  formatType,
  takeRows,
  type LogicalType,
  type Value,
} from '../../executor/index.js';

const cases: Array<[string, LogicalType, Value[]]> = [
  ['BOOLEAN', Types.BOOLEAN(), [true, false, null]],
  ['TINYINT', Types.TINYINT(), [-128, 127, null]],
  ['SMALLINT', Types.SMALLINT(), [-32768, 32767, null]],
  ['INT', Types.INT(), [-2147483648, 2147483647, null, 0]],
  ['BIGINT (exact-double range)', Types.BIGINT(), [0n, -(2n ** 53n), 2n ** 53n, null]],
  ['BIGINT (wide)', Types.BIGINT(), [1n, 9223372036854775807n, -9223372036854775808n, null]],
  ['FLOAT', Types.FLOAT(), [1.5, -0.25, null]],
  ['DOUBLE', Types.DOUBLE(), [Math.PI, -1e300, Number.NaN, null]],
  ['DECIMAL(10,2)', Types.DECIMAL(10, 2), [12345n, -1n, null]],
  ['DECIMAL(38,3) wide', Types.DECIMAL(38, 3), [10n ** 37n, -(10n ** 30n), 7n, null]],
  ['CHAR(3)', Types.CHAR(3), ['abc', '', null]],
  ['STRING', Types.STRING(), ['héllo, "wörld"', '日本', '', null]],
  ['BYTES', Types.BYTES(), [new Uint8Array([1, 2, 3]), new Uint8Array(0), null]],
  ['DATE', Types.DATE(), [0, 19000, -1, null]],
  ['TIME(0)', Types.TIME(0), [0, 86_399_000, null]],
  ['TIMESTAMP(3)', Types.TIMESTAMP(3), [0, 1_700_000_000_123, -1, null]],
  ['TIMESTAMP(9)', Types.TIMESTAMP(9), [1_700_000_000_123_456_789n, -1n, null]],
  ['TIMESTAMP_LTZ(3)', Types.TIMESTAMP_LTZ(3), [1_700_000_000_123, null]],
  ['TIMESTAMP(3) *ROWTIME*', Types.TIMESTAMP(3, false, 'rowtime'), [1, 2]],
  ['INTERVAL YEAR TO MONTH', Types.INTERVAL('YEAR_MONTH'), [14, -3, null]],
  ['INTERVAL DAY TO SECOND', Types.INTERVAL('DAY_TIME'), [86_400_000, -5, null]],
  ['ARRAY<INT>', Types.ARRAY(Types.INT()), [[1, 2, null], [], null]],
  ['ARRAY<STRING>', Types.ARRAY(Types.STRING()), [['a', 'b'], null, ['c']]],
  [
    'MAP<STRING, BIGINT>',
    Types.MAP(Types.STRING(false), Types.BIGINT()),
    [new Map<Value, Value>([['a', 1n], ['b', null]]), new Map(), null],
  ],
  [
    'ROW<id BIGINT, name STRING>',
    Types.ROW([
      { name: 'id', type: Types.BIGINT() },
      { name: 'name', type: Types.STRING() },
    ]),
    [[1n, 'x'], [null, null], null, [2n, 'y']],
  ],
];

describe('batch round trip', () => {
  for (const [name, type, values] of cases) {
    it(`${name}: values → batch → values`, () => {
      const schema = Schema.of(['c', type]);
      const batch = batchFromRows(
        schema,
        values.map((v) => [v]),
      );
      expect(batch.length).toBe(values.length);
      expect(batchToRows(batch).map((r) => r[0])).toEqual(values);
    });

    it(`${name}: batch → Arrow IPC → batch`, () => {
      const schema = Schema.of(['c', type], ['k', Types.INT(false)]);
      const kinds = values.map((_, i) => (i % 4) as RowKind);
      const batch = batchFromRows(
        schema,
        values.map((v, i) => [v, i]),
        kinds,
      );
      const [back] = batchFromIPC(batchToIPC(batch));
      expect(back).toBeDefined();
      expect(formatType(back!.schema.field(0).type)).toBe(formatType(type));
      expect(batchToRows(back!)).toEqual(batchToRows(batch));
      expect(Array.from(back!.kinds)).toEqual(kinds);
    });
  }

  it('keeps BIGINT on the exact-double layout until a value needs 64 bits', () => {
    const schema = Schema.of(['c', Types.BIGINT()]);
    expect(batchFromRows(schema, [[1n], [2n ** 53n]]).columns[0]!.kind).toBe('f64');
    expect(batchFromRows(schema, [[1n], [2n ** 53n + 1n]]).columns[0]!.kind).toBe('i64');
  });

  it('rejects values that do not fit a BIGINT', () => {
    const schema = Schema.of(['c', Types.BIGINT()]);
    expect(() => batchFromRows(schema, [[1n], [2n ** 63n]])).toThrow(/BIGINT overflow/);
  });

  it('takes rows at indices, keeping kinds and nulls', () => {
    const schema = Schema.of(['a', Types.INT()], ['b', Types.STRING()], ['c', Types.ARRAY(Types.INT())]);
    const batch = batchFromRows(
      schema,
      [
        [1, 'x', [1]],
        [null, null, null],
        [3, 'z', [3, 3]],
      ],
      [RowKind.INSERT, RowKind.DELETE, RowKind.UPDATE_AFTER],
    );
    const taken = takeRows(batch, Int32Array.of(1, 2), 2);
    expect(batchToRows(taken)).toEqual([
      [null, null, null],
      [3, 'z', [3, 3]],
    ]);
    expect(Array.from(taken.kinds)).toEqual([RowKind.DELETE, RowKind.UPDATE_AFTER]);
  });
});

describe('concatBatches across BIGINT/DECIMAL layouts', () => {
  // Batches built apart can hold the same BIGINT (DECIMAL) field exact-double in one and wide in another (a
  // record writer's buffer of nested rows takes pieces from different input batches): they concatenate to the
  // wide layout with every value and null kept.
  it.each([
    ['BIGINT', Types.BIGINT(), [1n, null, -5n], [2n ** 60n, null]],
    ['DECIMAL(38,2)', Types.DECIMAL(38, 2), [150n, null], [10n ** 30n, -1n]],
  ] as const)('%s: exact-double then wide, and wide then exact-double', (_name, type, narrow, wide) => {
    const schema = new Schema([{ name: 'v', type }]);
    const a = batchFromRows(schema, narrow.map((v) => [v]));
    const b = batchFromRows(schema, wide.map((v) => [v]));
    expect(a.columns[0]?.kind).toBe('f64');
    expect(b.columns[0]?.kind).not.toBe('f64');
    const rows = (x: readonly (bigint | null)[]): Value[][] => x.map((v) => [v]);
    expect(batchToRows(concatBatches([a, b]))).toEqual(rows([...narrow, ...wide]));
    expect(batchToRows(concatBatches([b, a, b]))).toEqual(rows([...wide, ...narrow, ...wide]));
    expect(concatBatches([a, b]).columns[0]?.kind).toBe(b.columns[0]?.kind);
  });
});

describe('takeRows', () => {
  const schema = new Schema([{ name: 'v', type: Types.INT() }]);
  const batch = batchFromRows(schema, [[1], [2], [3]]);
  it('returns the batch itself for every row in order, and gathers a permutation of the same length', () => {
    expect(takeRows(batch, Int32Array.of(0, 1, 2), 3)).toBe(batch);
    expect(batchToRows(takeRows(batch, Int32Array.of(2, 0, 1), 3))).toEqual([[3], [1], [2]]);
    expect(batchToRows(takeRows(batch, Int32Array.of(1, 1, 1), 3))).toEqual([[2], [2], [2]]);
    expect(batchToRows(takeRows(batch, Int32Array.of(2, 0), 2))).toEqual([[3], [1]]);
  });
});
