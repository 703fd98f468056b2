// The unbounded group aggregate under the harness: the changelog of Flink's GroupAggFunction exactly (+I on a
// key's first result, -U/+U on a change, nothing on an unchanged result unless state TTL is on, -D and state
// cleared when the key's record count reaches 0), retraction inputs, global aggregates, TTL, restore.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../executor/batch/column.js';
import {
  OperatorTestHarness,
  record,
  watermark,
  type HarnessEvent,
} from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind, type RowKindShort } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import type { AggCall } from '../../../executor/sql/aggregates.js';
import { GroupAggregateOperator, type GroupAggregateConfig } from '../../../executor/sql/group-aggregate.js';

const input = Schema.of(['word', Types.STRING()], ['n', Types.BIGINT()]);
const COUNT_STAR: AggCall = {
  kind: 'COUNT',
  args: [],
  distinct: false,
  filterArg: -1,
  resultType: Types.BIGINT(false),
  name: 'cnt',
};
const SUM_N: AggCall = {
  kind: 'SUM',
  args: [1],
  distinct: false,
  filterArg: -1,
  resultType: Types.BIGINT(),
  name: 's',
};
const MAX_N: AggCall = {
  kind: 'MAX',
  args: [1],
  distinct: false,
  filterArg: -1,
  resultType: Types.BIGINT(),
  name: 'mx',
};

function op(over: Partial<GroupAggregateConfig> = {}): GroupAggregateOperator {
  const aggs = over.aggs ?? [COUNT_STAR, SUM_N];
  const keys = over.keys ?? [0];
  return new GroupAggregateOperator({
    name: 'GroupAggregate',
    inputSchema: input,
    keys,
    aggs,
    outputSchema: new Schema([
      ...keys.map((k) => input.field(k)),
      ...aggs.map((a) => ({ name: a.name, type: a.resultType })),
    ]),
    generateUpdateBefore: true,
    ...over,
  });
}

function harness(o: GroupAggregateOperator, restoreFrom?: Uint8Array): OperatorTestHarness {
  return new OperatorTestHarness(o, {
    inputs: [input],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

const rec = (kind: RowKindShort, ...row: Value[]): HarnessEvent => record(row, null, kind);

describe('group aggregate', () => {
  it('emits +I, then -U/+U per change, per row even within one batch (GroupAggFunction)', () => {
    const h = harness(op());
    h.processElements([
      [['a', 1n], null],
      [['b', 5n], null],
      [['a', 2n], null],
    ]);
    h.processWatermark(10);
    expect(h.getOutput()).toEqual([
      rec('+I', 'a', 1n, 1n),
      rec('+I', 'b', 1n, 5n),
      rec('-U', 'a', 1n, 1n),
      rec('+U', 'a', 2n, 3n),
      watermark(10),
    ]);
  });

  it('gives the same changelog whatever the batch boundaries', () => {
    const rows: [Value[], null][] = [
      [['a', 1n], null],
      [['a', 2n], null],
      [['b', 3n], null],
      [['a', 4n], null],
    ];
    const one = harness(op()).processElements(rows);
    const many = harness(op());
    for (const r of rows) many.processElements([r]);
    expect(many.getOutput()).toEqual(one.getOutput());
  });

  it('emits only +U without generateUpdateBefore', () => {
    const h = harness(op({ generateUpdateBefore: false }));
    h.processElement(['a', 1n]).processElement(['a', 2n]);
    expect(h.getOutput()).toEqual([rec('+I', 'a', 1n, 1n), rec('+U', 'a', 2n, 3n)]);
  });

  it('emits nothing when the result did not change', () => {
    const h = harness(op({ aggs: [MAX_N] }));
    h.processElement(['a', 5n]).processElement(['a', 3n]).processElement(['a', 5n]).processElement(['a', 7n]);
    expect(h.getOutput()).toEqual([rec('+I', 'a', 5n), rec('-U', 'a', 5n), rec('+U', 'a', 7n)]);
  });

  it('consumes retractions: -U/+U input updates, the last retraction deletes the key and its state', () => {
    const o = op();
    const h = harness(o);
    h.processElement(['a', 1n]).processElement(['a', 2n]);
    h.processElement(['a', 2n], null, 0, RowKind.UPDATE_BEFORE);
    h.processElement(['a', 1n], null, 0, RowKind.DELETE);
    expect(o.stateSize).toBe(0);
    // A retraction of a key without state is ignored; a new row starts the key over with +I.
    h.processElement(['a', 9n], null, 0, RowKind.DELETE);
    h.processElement(['a', 4n], null, 0, RowKind.UPDATE_AFTER);
    expect(h.getOutput()).toEqual([
      rec('+I', 'a', 1n, 1n),
      rec('-U', 'a', 1n, 1n),
      rec('+U', 'a', 2n, 3n),
      rec('-U', 'a', 2n, 3n),
      rec('+U', 'a', 1n, 1n),
      rec('-D', 'a', 1n, 1n),
      rec('+I', 'a', 1n, 4n),
    ]);
  });

  it('MIN/MAX follow retractions of the current extreme', () => {
    const h = harness(op({ aggs: [MAX_N] }));
    h.processElements([
      [['a', 3n], null],
      [['a', 8n], null],
    ]);
    h.processElement(['a', 8n], null, 0, RowKind.DELETE);
    expect(h.getOutput().slice(-2)).toEqual([rec('-U', 'a', 8n), rec('+U', 'a', 3n)]);
  });

  it('aggregates globally with no keys', () => {
    const h = harness(op({ keys: [], aggs: [COUNT_STAR, SUM_N] }));
    h.processElement(['a', 1n]).processElement(['b', 2n]);
    h.processElement(['a', 1n], null, 0, RowKind.DELETE);
    h.processElement(['b', 2n], null, 0, RowKind.DELETE);
    expect(h.getOutput()).toEqual([
      rec('+I', 1n, 1n),
      rec('-U', 1n, 1n),
      rec('+U', 2n, 3n),
      rec('-U', 2n, 3n),
      rec('+U', 1n, 2n),
      rec('-D', 1n, 2n),
    ]);
  });

  it('writes BIGINT sums past 2^53 exactly', () => {
    const h = harness(op({ aggs: [SUM_N] }));
    h.processElement(['a', 2n ** 53n]).processElement(['a', 2n ** 53n + 1n]);
    expect(h.getOutput().at(-1)).toEqual(rec('+U', 'a', 2n ** 54n + 1n));
  });

  it('with state TTL re-emits unchanged results and forgets keys not written for the TTL', () => {
    const o = op({ aggs: [MAX_N], stateTtlMs: 100 });
    const h = harness(o);
    h.processElement(['a', 5n]);
    h.setProcessingTime(50);
    h.processElement(['a', 1n]); // unchanged MAX, still -U/+U (downstream TTL), and the TTL restarts at 50
    h.setProcessingTime(149);
    h.processElement(['b', 1n]);
    expect(o.stateSize).toBe(2);
    h.setProcessingTime(150);
    h.processElement(['a', 2n]); // a's state expired at 150: a first row again
    expect(h.getOutput()).toEqual([
      rec('+I', 'a', 5n),
      rec('-U', 'a', 5n),
      rec('+U', 'a', 5n),
      rec('+I', 'b', 1n),
      rec('+I', 'a', 2n),
    ]);
  });

  it('restores its state from a snapshot and continues the changelog', () => {
    const h = harness(op());
    h.processElement(['a', 1n]).processElement(['b', 2n]);
    const restored = harness(op(), h.snapshot());
    restored.processElement(['a', 10n]);
    restored.processElement(['b', 2n], null, 0, RowKind.DELETE);
    expect(restored.getOutput()).toEqual([
      rec('-U', 'a', 1n, 1n),
      rec('+U', 'a', 2n, 11n),
      rec('-D', 'b', 1n, 2n),
    ]);
  });

  it('over an insert-only input (needRetraction false) keeps one value per FIRST_VALUE/LISTAGG and refuses retractions', () => {
    const first: AggCall = {
      kind: 'FIRST_VALUE',
      args: [1],
      distinct: false,
      filterArg: -1,
      resultType: Types.BIGINT(),
      name: 'f',
    };
    const list: AggCall = {
      kind: 'LISTAGG',
      args: [0],
      distinct: false,
      filterArg: -1,
      resultType: Types.STRING(),
      name: 'l',
      separator: ';',
    };
    const h = harness(op({ keys: [], aggs: [first, list], needRetraction: false }));
    h.processElement(['a', 1n]).processElement(['b', 2n]).processElement(['c', 3n]);
    expect(h.getOutput().at(-1)).toEqual(rec('+U', 1n, 'a;b;c'));
    expect(() => h.processElement(['a', 1n], null, 0, RowKind.DELETE)).toThrow(
      /GroupAggregate: got a -D row, but the aggregate was planned for an insert-only input/,
    );
  });

  it('LISTAGG with retraction rebuilds its text after a retraction', () => {
    const list: AggCall = {
      kind: 'LISTAGG',
      args: [0],
      distinct: false,
      filterArg: -1,
      resultType: Types.STRING(),
      name: 'l',
    };
    const h = harness(op({ keys: [], aggs: [list] }));
    h.processElement(['a', 1n]).processElement(['b', 2n]).processElement(['a', 3n]);
    h.processElement(['a', 1n], null, 0, RowKind.UPDATE_BEFORE);
    h.processElement(['c', 1n]);
    expect(h.getOutput().filter((e) => e.kind === 'record' && e.rowKind === '+U')).toEqual([
      rec('+U', 'a,b'),
      rec('+U', 'a,b,a'),
      rec('+U', 'b,a'),
      rec('+U', 'b,a,c'),
    ]);
  });

  it('checks its output schema against keys and aggregates', () => {
    expect(
      () =>
        new GroupAggregateOperator({
          name: 'Agg',
          inputSchema: input,
          keys: [0],
          aggs: [COUNT_STAR],
          outputSchema: Schema.of(['c', Types.BIGINT()]),
          generateUpdateBefore: true,
        }),
    ).toThrow(/Agg: the output schema has 1 fields, expected 1 keys \+ 1 aggregates/);
  });
});
