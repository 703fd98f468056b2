// Two-phase group aggregation (Flink's MiniBatchLocalGroupAggFunction + MiniBatchGlobalGroupAggFunction): the
// local phase folds each batch into one partial per key, the global phase merges partials and emits the
// GroupAggFunction changelog. Checked exactly on a small case and, on random changelogs cut into random
// batches, against the one-phase operator: the materialised result tables must agree.
// Also the ResultBuilder that aggregation operators write their output columns with.
import { describe, expect, it } from 'vitest';
import { batchFromRows, type RecordBatch } from '../../../executor/batch/batch.js';
import { getValue, type Value } from '../../../executor/batch/column.js';
import type { Output } from '../../../executor/runtime/operator.js';
import { Types, type LogicalType } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { ResultBuilder, type AggCall } from '../../../executor/sql/aggregates.js';
import {
  GlobalGroupAggregateOperator,
  GroupAggregateOperator,
  LocalGroupAggregateOperator,
  partialAggregateSchema,
  supportsTwoPhase,
} from '../../../executor/sql/group-aggregate.js';

const input = Schema.of(['k', Types.STRING()], ['v', Types.BIGINT()], ['f', Types.BOOLEAN()]);
const c = (
  kind: AggCall['kind'],
  args: number[],
  resultType: LogicalType,
  extra: Partial<AggCall> = {},
): AggCall => ({
  kind,
  args,
  distinct: false,
  filterArg: -1,
  resultType,
  name: `${kind}${args.join('')}${extra.distinct === true ? 'd' : ''}${extra.filterArg !== undefined ? 'f' : ''}`,
  ...extra,
});
const AGGS: AggCall[] = [
  c('COUNT', [], Types.BIGINT(false)),
  c('SUM', [1], Types.BIGINT()),
  c('MIN', [1], Types.BIGINT()),
  c('MAX', [1], Types.BIGINT()),
  c('AVG', [1], Types.BIGINT()),
  c('COUNT', [1], Types.BIGINT(false), { distinct: true }),
  c('SUM', [1], Types.BIGINT(), { filterArg: 2 }),
];
const outSchema = new Schema([input.field(0), ...AGGS.map((a) => ({ name: a.name, type: a.resultType }))]);

/** Collects emitted batches as [kind, ...row]. */
function collector(): { out: Output; rows: Value[][]; batches: RecordBatch[] } {
  const rows: Value[][] = [];
  const batches: RecordBatch[] = [];
  const out: Output = {
    emitBatch: (b) => {
      batches.push(b);
      for (let r = 0; r < b.length; r++)
        rows.push([
          b.kinds[r] as number,
          ...b.columns.map((col, i) => getValue(col, b.schema.field(i).type, r)),
        ]);
    },
    emitWatermark: () => {},
    emitSideOutput: () => {},
    emitWatermarkStatus: () => {},
  };
  return { out, rows, batches };
}

function twoPhase(generateUpdateBefore = true): { run(b: RecordBatch): void; rows: Value[][] } {
  const local = new LocalGroupAggregateOperator({
    name: 'LocalAgg',
    inputSchema: input,
    keys: [0],
    aggs: AGGS,
    outputSchema: partialAggregateSchema(input, [0]),
  });
  const global = new GlobalGroupAggregateOperator({
    name: 'GlobalAgg',
    inputSchema: input,
    keys: [0],
    aggs: AGGS,
    outputSchema: outSchema,
    generateUpdateBefore,
  });
  const g = collector();
  global.open(g.out);
  local.open({ ...g.out, emitBatch: (b) => global.processBatch(b) });
  return { run: (b) => local.processBatch(b), rows: g.rows };
}

/** Applies a changelog to a table keyed by the first column (the key of the aggregate). */
function materialise(changelog: Value[][]): Map<Value, Value[]> {
  const table = new Map<Value, Value[]>();
  for (const [kind, ...row] of changelog) {
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) table.set(row[0] as Value, row);
    else {
      expect(table.get(row[0] as Value)).toEqual(row); // a retraction retracts exactly the current row
      table.delete(row[0] as Value);
    }
  }
  return table;
}

describe('two-phase group aggregation', () => {
  it('emits one change per partial: +I, then -U/+U, and -D when a partial retracts the last row', () => {
    const tp = twoPhase();
    tp.run(
      batchFromRows(input, [
        ['a', 1n, true],
        ['a', 2n, false],
        ['b', 5n, true],
      ]),
    );
    tp.run(batchFromRows(input, [['a', 3n, true]]));
    tp.run(
      batchFromRows(
        input,
        [
          ['b', 5n, true],
          ['b', 6n, true],
          ['b', 6n, true],
        ],
        [RowKind.DELETE, RowKind.INSERT, RowKind.DELETE],
      ),
    );
    expect(tp.rows).toEqual([
      [RowKind.INSERT, 'a', 2n, 3n, 1n, 2n, 1n, 2n, 1n],
      [RowKind.INSERT, 'b', 1n, 5n, 5n, 5n, 5n, 1n, 5n],
      [RowKind.UPDATE_BEFORE, 'a', 2n, 3n, 1n, 2n, 1n, 2n, 1n],
      [RowKind.UPDATE_AFTER, 'a', 3n, 6n, 1n, 3n, 2n, 3n, 4n],
      [RowKind.DELETE, 'b', 1n, 5n, 5n, 5n, 5n, 1n, 5n],
    ]);
  });

  it('ignores a partial that would leave a key without state at zero rows', () => {
    const tp = twoPhase();
    tp.run(
      batchFromRows(
        input,
        [
          ['a', 1n, true],
          ['a', 1n, true],
        ],
        [RowKind.INSERT, RowKind.DELETE],
      ),
    );
    tp.run(batchFromRows(input, [['b', 1n, true]], [RowKind.DELETE]));
    expect(tp.rows).toEqual([]);
  });

  it('agrees with the one-phase aggregate on random changelogs cut into random batches', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 30; round++) {
      // A valid changelog: retract only rows currently in the input table.
      const live: Value[][] = [];
      const rows: Value[][] = [];
      const kinds: RowKind[] = [];
      for (let i = 0; i < 200; i++) {
        if (live.length > 0 && rand(3) === 0) {
          const [row] = live.splice(rand(live.length), 1);
          rows.push(row as Value[]);
          kinds.push(rand(2) === 0 ? RowKind.DELETE : RowKind.UPDATE_BEFORE);
        } else {
          const v = BigInt(rand(7)) * (rand(5) === 0 ? 2n ** 55n : 1n);
          const row: Value[] = [
            `k${rand(5)}`,
            rand(10) === 0 ? null : v,
            rand(4) === 0 ? null : rand(2) === 0,
          ];
          live.push(row);
          rows.push(row);
          kinds.push(rand(2) === 0 ? RowKind.INSERT : RowKind.UPDATE_AFTER);
        }
      }
      const one = new GroupAggregateOperator({
        name: 'Agg',
        inputSchema: input,
        keys: [0],
        aggs: AGGS,
        outputSchema: outSchema,
        generateUpdateBefore: true,
      });
      const oc = collector();
      one.open(oc.out);
      const tp = twoPhase();
      for (let i = 0; i < rows.length;) {
        const n = 1 + rand(20);
        const b = batchFromRows(input, rows.slice(i, i + n), kinds.slice(i, i + n));
        one.processBatch(b);
        tp.run(b);
        i += n;
      }
      expect(materialise(tp.rows)).toEqual(materialise(oc.rows));
    }
  });

  it('refuses calls that cannot be split, naming the call', () => {
    const first = c('FIRST_VALUE', [1], Types.BIGINT());
    expect(supportsTwoPhase([first])).toBe(false);
    expect(supportsTwoPhase(AGGS)).toBe(true);
    expect(
      () =>
        new LocalGroupAggregateOperator({
          name: 'LocalAgg',
          inputSchema: input,
          keys: [0],
          aggs: [first],
          outputSchema: partialAggregateSchema(input, [0]),
        }),
    ).toThrow(/LocalAgg: FIRST_VALUE \(FIRST_VALUE1\) cannot be split into local and global aggregation/);
  });
});

describe('ResultBuilder', () => {
  it('keeps BIGINT numbers in an f64 column and widens exactly when a bigint arrives', () => {
    const b = new ResultBuilder(Types.BIGINT(), 2);
    b.append(1);
    b.append(null);
    b.append(2 ** 53);
    const narrow = b.finish();
    expect(narrow.kind).toBe('f64');
    expect([0, 1, 2].map((i) => getValue(narrow, Types.BIGINT(), i))).toEqual([1n, null, 2n ** 53n]);
    const w = new ResultBuilder(Types.BIGINT(), 1);
    w.append(7);
    w.append(null);
    w.append(2n ** 62n);
    w.append(3);
    const wide = w.finish();
    expect(wide.kind).toBe('i64');
    expect([0, 1, 2, 3].map((i) => getValue(wide, Types.BIGINT(), i))).toEqual([7n, null, 2n ** 62n, 3n]);
    const s = new ResultBuilder(Types.STRING());
    s.append('x');
    s.append(null);
    expect(s.finish().kind).toBe('str');
  });
});
