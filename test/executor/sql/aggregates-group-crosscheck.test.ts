// Cross-checks of GroupAggregateOperator written independently of its own tests, against Flink's
// GroupAggFunction.processElement (first row, unchanged result, record counter reaching 0, retraction of an
// unknown key, state TTL expiring at last write + ttl as TtlUtils.expired, snapshot/restore).
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, type HarnessEvent } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import type { AggCall } from '../../../executor/sql/aggregates.js';
import { GroupAggregateOperator } from '../../../executor/sql/group-aggregate.js';

const IN = Schema.of(['k', Types.STRING()], ['v', Types.INT()]);
const sum: AggCall = {
  kind: 'SUM',
  args: [1],
  distinct: false,
  filterArg: -1,
  resultType: Types.INT(),
  name: 's',
};
const cnt: AggCall = {
  kind: 'COUNT',
  args: [],
  distinct: false,
  filterArg: -1,
  resultType: Types.BIGINT(false),
  name: 'c',
};
const max: AggCall = {
  kind: 'MAX',
  args: [1],
  distinct: false,
  filterArg: -1,
  resultType: Types.INT(),
  name: 'm',
};

function op(
  aggs: AggCall[],
  opts: { keys?: number[]; ub?: boolean; ttl?: number } = {},
): GroupAggregateOperator {
  const keys = opts.keys ?? [0];
  return new GroupAggregateOperator({
    name: 'GroupAggregate',
    inputSchema: IN,
    keys,
    aggs,
    outputSchema: Schema.of(
      ...keys.map((k): [string, ReturnType<typeof Types.INT>] => [IN.field(k).name, IN.field(k).type]),
      ...aggs.map((a): [string, ReturnType<typeof Types.INT>] => [a.name, a.resultType]),
    ),
    generateUpdateBefore: opts.ub ?? true,
    ...(opts.ttl === undefined ? {} : { stateTtlMs: opts.ttl }),
  });
}
const cl = (h: OperatorTestHarness): string[] =>
  h
    .getOutput()
    .flatMap((e: HarnessEvent) =>
      e.kind === 'record'
        ? [
            `${e.rowKind}${JSON.stringify(e.row, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))}`,
          ]
        : [],
    );
const send = (h: OperatorTestHarness, kind: number, ...rows: Value[][]): void => {
  h.processElements(
    rows.map((r) => [r, null] as [Value[], null]),
    0,
    kind as 0,
  );
};

describe('GroupAggregateOperator (helper cross-check)', () => {
  it('+I first, -U/+U per change, per row within one batch', () => {
    const h = new OperatorTestHarness(op([sum, cnt]), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1], ['a', 2], ['b', 5]);
    expect(cl(h)).toEqual(['+I["a",1,1]', '-U["a",1,1]', '+U["a",3,2]', '+I["b",5,1]']);
  });
  it('no update-before: only +U', () => {
    const h = new OperatorTestHarness(op([sum], { ub: false }), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1], ['a', 2]);
    expect(cl(h)).toEqual(['+I["a",1]', '+U["a",3]']);
  });
  it('unchanged result emits nothing without TTL, -U/+U with TTL', () => {
    const h = new OperatorTestHarness(op([max]), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 5], ['a', 3]);
    expect(cl(h)).toEqual(['+I["a",5]']);
    const t = new OperatorTestHarness(op([max], { ttl: 1000 }), { inputs: [IN] });
    send(t, RowKind.INSERT, ['a', 5], ['a', 3]);
    expect(cl(t)).toEqual(['+I["a",5]', '-U["a",5]', '+U["a",5]']);
  });
  it('retracting the last row: -D and state gone; an update pair from upstream becomes -D then +I', () => {
    const o = op([sum, cnt]);
    const h = new OperatorTestHarness(o, { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1]);
    send(h, RowKind.UPDATE_BEFORE, ['a', 1]);
    send(h, RowKind.UPDATE_AFTER, ['a', 4]);
    send(h, RowKind.DELETE, ['a', 4]);
    expect(cl(h)).toEqual(['+I["a",1,1]', '-D["a",1,1]', '+I["a",4,1]', '-D["a",4,1]']);
  });
  it('a retraction for an unknown key is dropped', () => {
    const h = new OperatorTestHarness(op([sum]), { inputs: [IN] });
    send(h, RowKind.DELETE, ['z', 1]);
    send(h, RowKind.UPDATE_BEFORE, ['z', 1]);
    expect(cl(h)).toEqual([]);
  });
  it('SUM is NULL when the remaining rows have NULL values', () => {
    const h = new OperatorTestHarness(op([sum, cnt]), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1], ['a', null]);
    send(h, RowKind.DELETE, ['a', 1]);
    expect(cl(h)).toEqual(['+I["a",1,1]', '-U["a",1,1]', '+U["a",1,2]', '-U["a",1,2]', '+U["a",null,1]']);
  });
  it('global aggregate (no keys)', () => {
    const h = new OperatorTestHarness(op([cnt], { keys: [] }), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1], ['b', 2]);
    expect(cl(h)).toEqual(['+I[1]', '-U[1]', '+U[2]']);
  });
  it('TTL: a key idle for ttl ms starts over; its retraction after expiry is dropped', () => {
    const h = new OperatorTestHarness(op([sum], { ttl: 1000 }), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1]);
    h.setProcessingTime(999);
    send(h, RowKind.INSERT, ['a', 1]);
    h.setProcessingTime(1998);
    send(h, RowKind.INSERT, ['a', 10]);
    h.setProcessingTime(5000);
    send(h, RowKind.DELETE, ['a', 10]);
    send(h, RowKind.INSERT, ['a', 7]);
    expect(cl(h)).toEqual(['+I["a",1]', '-U["a",1]', '+U["a",2]', '-U["a",2]', '+U["a",12]', '+I["a",7]']);
  });
  it('snapshot, restore into a fresh operator, continue', () => {
    const h = new OperatorTestHarness(op([sum, cnt]), { inputs: [IN] });
    send(h, RowKind.INSERT, ['a', 1], ['b', 2]);
    const snap = h.snapshot();
    const r = new OperatorTestHarness(op([sum, cnt]), { inputs: [IN], restoreFrom: snap });
    send(r, RowKind.INSERT, ['a', 3]);
    send(r, RowKind.DELETE, ['b', 2]);
    expect(cl(r)).toEqual(['-U["a",1,1]', '+U["a",4,2]', '-D["b",2,1]']);
  });
  it('forwards watermarks', () => {
    const h = new OperatorTestHarness(op([sum]), { inputs: [IN] });
    h.processWatermark(5);
    expect(h.getOutput()).toEqual([{ kind: 'watermark', timestamp: 5 }]);
  });
});
