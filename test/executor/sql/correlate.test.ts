// The Correlate operator under the harness: UNNEST of ARRAY, ARRAY<ROW>, MAP, WITH ORDINALITY, LEFT padding, a
// user-defined table function, and the changelog passing through (each output row keeps its input row's kind,
// as Flink's StreamExecCorrelate forwards RowData.getRowKind()). Semantics: Flink's UnnestRowsFunction and
// UnnestRowsWithOrdinalityFunction (FLINK-37267), docs/dev/table/sql/queries/joins "Array Expansion" and
// "Table Function" sections.
import { describe, expect, it } from 'vitest';
import {
  CorrelateOperator,
  OperatorTestHarness,
  RowKind,
  Schema,
  Types,
  type BatchFunction,
  type TableFunctionRuntime,
  type Value,
} from '../../../index.js';

/** The argument batch: column `col` of the input (what the planner's compiled Calc computes). */
function column(col: number, schema: Schema): BatchFunction {
  const s = new Schema([schema.field(col)]);
  return (b) => ({
    schema: s,
    length: b.length,
    kinds: b.kinds,
    columns: [b.columns[col] as (typeof b.columns)[number]],
  });
}

function harness(
  input: Schema,
  fnFields: { name: string; type: ReturnType<typeof Types.INT> }[],
  fn: TableFunctionRuntime,
  joinType: 'INNER' | 'LEFT',
  argCol = 1,
): OperatorTestHarness {
  const op = new CorrelateOperator({
    name: 'Correlate',
    inputSchema: input,
    outputSchema: new Schema([...input.fields, ...fnFields]),
    args: column(argCol, input),
    fn,
    joinType,
  });
  return new OperatorTestHarness(op, { inputs: [input] }).open();
}

/** Emitted rows as `+I[...]` text, without the argument column (position 1) unless `full`. */
const records = (h: OperatorTestHarness, full = false): string[] =>
  h
    .getOutput()
    .flatMap((e) =>
      e.kind === 'record'
        ? [
            `${e.rowKind}${JSON.stringify(full ? e.row : e.row.filter((_v, i) => i !== 1), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`,
          ]
        : [],
    );

describe('Correlate: UNNEST', () => {
  const arrays = Schema.of(['id', Types.INT()], ['arr', Types.ARRAY(Types.STRING())]);

  it('one row per element, input columns repeated; a NULL or empty array gives none (INNER)', () => {
    const h = harness(
      arrays,
      [{ name: 'f0', type: Types.STRING() }],
      { kind: 'unnest', withOrdinality: false },
      'INNER',
    );
    h.processElements([
      [[1, ['a', 'b']], null],
      [[2, []], null],
      [[3, null], null],
      [[4, ['c', null]], null],
    ]);
    expect(records(h)).toEqual(['+I[1,"a"]', '+I[1,"b"]', '+I[4,"c"]', '+I[4,null]']);
    expect(records(h, true)[0]).toBe('+I[1,["a","b"],"a"]');
  });

  it('LEFT keeps rows without elements once, padded with NULL; WITH ORDINALITY numbers from 1', () => {
    const h = harness(
      arrays,
      [
        { name: 'f0', type: Types.STRING() },
        { name: 'ordinality', type: Types.INT(false) },
      ],
      { kind: 'unnest', withOrdinality: true },
      'LEFT',
    );
    h.processElements([
      [[1, ['a', 'b', 'c']], null],
      [[2, []], null],
      [[3, null], null],
    ]);
    expect(records(h)).toEqual([
      '+I[1,"a",1]',
      '+I[1,"b",2]',
      '+I[1,"c",3]',
      '+I[2,null,null]',
      '+I[3,null,null]',
    ]);
  });

  it('ARRAY<ROW> expands each element into its fields; a NULL element gives NULL fields', () => {
    const row = Types.ROW([
      { name: 'k', type: Types.STRING() },
      { name: 'n', type: Types.INT() },
    ]);
    const s = Schema.of(['id', Types.INT()], ['items', Types.ARRAY(row)]);
    const h = harness(
      s,
      [
        { name: 'k', type: Types.STRING() },
        { name: 'n', type: Types.INT() },
      ],
      { kind: 'unnest', withOrdinality: false },
      'INNER',
    );
    h.processElements([
      [[7, [['x', 1], null, ['y', 2]]], null],
      [[8, [['z', null]]], null],
    ]);
    expect(records(h)).toEqual(['+I[7,"x",1]', '+I[7,null,null]', '+I[7,"y",2]', '+I[8,"z",null]']);
  });

  it('MAP gives one (key, value) row per entry', () => {
    const s = Schema.of(['id', Types.INT()], ['m', Types.MAP(Types.STRING(), Types.BIGINT())]);
    const h = harness(
      s,
      [
        { name: 'f0', type: Types.STRING() },
        { name: 'f1', type: Types.BIGINT() },
      ],
      { kind: 'unnest', withOrdinality: false },
      'INNER',
    );
    h.processElements([
      [
        [
          1,
          new Map<Value, Value>([
            ['a', 10n],
            ['b', 20n],
          ]),
        ],
        null,
      ],
    ]);
    expect(records(h)).toEqual(['+I[1,"a","10n"]', '+I[1,"b","20n"]']);
  });

  it('keeps the input row kind: a retraction retracts exactly the rows its insert produced', () => {
    const h = harness(
      arrays,
      [{ name: 'f0', type: Types.STRING() }],
      { kind: 'unnest', withOrdinality: false },
      'INNER',
    );
    h.processElement([1, ['a', 'b']], null, 0, RowKind.INSERT);
    h.processElement([1, ['a', 'b']], null, 0, RowKind.UPDATE_BEFORE);
    h.processElement([1, ['c']], null, 0, RowKind.UPDATE_AFTER);
    h.processElement([1, ['c']], null, 0, RowKind.DELETE);
    expect(records(h)).toEqual([
      '+I[1,"a"]',
      '+I[1,"b"]',
      '-U[1,"a"]',
      '-U[1,"b"]',
      '+U[1,"c"]',
      '-D[1,"c"]',
    ]);
  });

  it('forwards watermarks unchanged', () => {
    const h = harness(
      arrays,
      [{ name: 'f0', type: Types.STRING() }],
      { kind: 'unnest', withOrdinality: false },
      'INNER',
    );
    h.processWatermark(42);
    expect(h.getOutput()).toEqual([{ kind: 'watermark', timestamp: 42 }]);
  });
});

describe('Correlate: user-defined table function', () => {
  const lines = Schema.of(['id', Types.INT()], ['line', Types.STRING()]);
  const split: TableFunctionRuntime = {
    kind: 'udtf',
    name: 'split',
    invoke: (args, collect) => {
      const s = args[0];
      if (typeof s !== 'string') return;
      for (const w of s.split(' ')) collect([w, w.length]);
    },
  };
  const fields = [
    { name: 'word', type: Types.STRING() },
    { name: 'length', type: Types.INT() },
  ];

  it('INNER: the rows eval collects, after their input row; no rows drops the input row', () => {
    const h = harness(lines, fields, split, 'INNER');
    h.processElements([
      [[1, 'hello big world'], null],
      [[2, null], null],
      [[3, 'x'], null],
    ]);
    expect(records(h)).toEqual(['+I[1,"hello",5]', '+I[1,"big",3]', '+I[1,"world",5]', '+I[3,"x",1]']);
  });

  it('LEFT: an input row without output stays, padded with NULLs', () => {
    const h = harness(lines, fields, split, 'LEFT');
    h.processElements([
      [[1, 'a b'], null],
      [[2, null], null],
    ]);
    expect(records(h)).toEqual(['+I[1,"a",1]', '+I[1,"b",1]', '+I[2,null,null]']);
  });

  it('a row of the wrong width fails naming the function', () => {
    const bad: TableFunctionRuntime = {
      kind: 'udtf',
      name: 'bad',
      invoke: (_a, collect) => collect(['only one']),
    };
    const h = harness(lines, fields, bad, 'INNER');
    expect(() => h.processElement([1, 'x'])).toThrow(
      'table function bad emitted a row of 1 values, but declares 2 columns',
    );
  });
});
