// Window TVF aggregation under the harness. The Bid examples and their expected tables are those of Flink's
// "Window Aggregation" documentation page (docs/dev/table/sql/queries/window-agg): TUMBLE, HOP and CUMULATE over
// the six bids, SESSION over the version of Bid with items A and B. Beyond them: firing only at
// window_end - 1, late rows (dropped only when every window of theirs has fired), state freed after the last
// window, snapshot/restore mid-window, DISTINCT and FILTER, and insert-only input enforced.
import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, watermark, type HarnessEvent } from '../../../executor/testing/harness.js';
import { Types, type LogicalType } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import type { AggCall } from '../../../executor/sql/aggregates.js';
import {
  describeWindow,
  WindowAggregateOperator,
  type WindowSpec,
} from '../../../executor/sql/window-aggregate.js';

const MIN = 60_000;
const t = (hh: number, mm: number): number => Date.UTC(2020, 3, 15, hh, mm);

const bid = Schema.of(
  ['bidtime', Types.TIMESTAMP(3, true, 'rowtime')],
  ['price', Types.DECIMAL(10, 2)],
  ['item', Types.STRING()],
);

/** Flink's Bid table: (bidtime, price, item). */
const BIDS: [number, bigint, string][] = [
  [t(8, 7), 200n, 'A'],
  [t(8, 11), 300n, 'B'],
  [t(8, 5), 400n, 'C'],
  [t(8, 9), 500n, 'D'],
  [t(8, 13), 100n, 'E'],
  [t(8, 17), 600n, 'F'],
];

const call = (
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
  name: `${kind.toLowerCase()}${args.join('')}`,
  ...extra,
});
const SUM_PRICE = call('SUM', [1], Types.DECIMAL(38, 2));

function op(
  window: WindowSpec,
  keys: number[] = [],
  aggs: AggCall[] = [SUM_PRICE],
  schema = bid,
): WindowAggregateOperator {
  return new WindowAggregateOperator({
    name: 'WindowAggregate',
    inputSchema: schema,
    keys,
    aggs,
    window,
    timeCol: 0,
    outputSchema: new Schema([
      ...keys.map((k) => schema.field(k)),
      ...aggs.map((a) => ({ name: a.name, type: a.resultType })),
      { name: 'window_start', type: Types.TIMESTAMP(3, false) },
      { name: 'window_end', type: Types.TIMESTAMP(3, false) },
      { name: 'window_time', type: Types.TIMESTAMP(3, false, 'rowtime') },
    ]),
  });
}

function harness(o: WindowAggregateOperator, restoreFrom?: Uint8Array): OperatorTestHarness {
  return new OperatorTestHarness(o, {
    inputs: [o['config'].inputSchema],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function feed(h: OperatorTestHarness, rows: readonly (readonly Value[])[]): void {
  h.processElements(rows.map((r) => [[...r], null] as [Value[], null]));
}

/** Rows as [window_start, window_end, ...keys and aggregates] for comparison with the docs' tables. */
function table(h: OperatorTestHarness): Value[][] {
  return h.getOutput().flatMap((e) => {
    if (e.kind !== 'record') return [];
    expect(e.rowKind).toBe('+I');
    const r = e.row;
    const n = r.length;
    expect(r[n - 1]).toBe((r[n - 2] as number) - 1); // window_time = window_end - 1
    return [[r[n - 3], r[n - 2], ...r.slice(0, n - 3)]];
  });
}

describe('window aggregate', () => {
  it('TUMBLE 10 min: the Flink docs example', () => {
    const h = harness(op({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 }));
    feed(h, BIDS);
    h.endInput();
    expect(table(h)).toEqual([
      [t(8, 0), t(8, 10), 1100n],
      [t(8, 10), t(8, 20), 1000n],
    ]);
  });

  it('HOP 10 min sliding by 5 min: the Flink docs example', () => {
    const h = harness(op({ kind: 'HOP', size: 10 * MIN, slide: 5 * MIN, offset: 0 }));
    feed(h, BIDS);
    h.endInput();
    expect(table(h)).toEqual([
      [t(8, 0), t(8, 10), 1100n],
      [t(8, 5), t(8, 15), 1500n],
      [t(8, 10), t(8, 20), 1000n],
      [t(8, 15), t(8, 25), 600n],
    ]);
  });

  it('CUMULATE step 2 min up to 10 min: the Flink docs example', () => {
    const h = harness(op({ kind: 'CUMULATE', maxSize: 10 * MIN, step: 2 * MIN, offset: 0 }));
    feed(h, BIDS);
    h.endInput();
    expect(table(h)).toEqual([
      [t(8, 0), t(8, 6), 400n],
      [t(8, 0), t(8, 8), 600n],
      [t(8, 0), t(8, 10), 1100n],
      [t(8, 10), t(8, 12), 300n],
      [t(8, 10), t(8, 14), 400n],
      [t(8, 10), t(8, 16), 400n],
      [t(8, 10), t(8, 18), 1000n],
      [t(8, 10), t(8, 20), 1000n],
    ]);
    expect(h.operator instanceof WindowAggregateOperator && h.operator.stateSize).toBe(0);
  });

  it('SESSION gap 5 min per item: the Flink docs example', () => {
    const sessionBids: [number, bigint, string][] = [
      [t(8, 5), 400n, 'A'],
      [t(8, 7), 200n, 'A'],
      [t(8, 9), 500n, 'B'],
      [t(8, 11), 300n, 'B'],
      [t(8, 13), 100n, 'B'],
      [t(8, 17), 600n, 'B'],
    ];
    const keyed = harness(op({ kind: 'SESSION', gap: 5 * MIN }, [2]));
    feed(keyed, sessionBids);
    keyed.endInput();
    expect(table(keyed)).toEqual([
      [t(8, 5), t(8, 12), 'A', 600n],
      [t(8, 9), t(8, 22), 'B', 1500n],
    ]);
    const global = harness(op({ kind: 'SESSION', gap: 5 * MIN }));
    feed(global, sessionBids);
    global.endInput();
    expect(table(global)).toEqual([[t(8, 5), t(8, 22), 2100n]]);
  });

  it('fires a window only once the watermark reaches window_end - 1, then forwards the watermark', () => {
    const h = harness(
      op({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 }, [2], [call('COUNT', [], Types.BIGINT(false))]),
    );
    feed(h, BIDS);
    h.processWatermark(t(8, 10) - 2);
    expect(table(h)).toEqual([]);
    h.processWatermark(t(8, 10) - 1);
    const out = h.getOutput();
    expect(out.at(-1)).toEqual(watermark(t(8, 10) - 1));
    // Output order within one firing: by window end, keys in any order.
    expect(
      table(h)
        .map((r) => r[2])
        .sort(),
    ).toEqual(['A', 'C', 'D']);
  });

  it('drops rows whose every window has fired, and keeps HOP rows whose later window is still open', () => {
    const h = harness(op({ kind: 'HOP', size: 10 * MIN, slide: 5 * MIN, offset: 0 }));
    feed(h, [[t(8, 7), 100n, 'x']]);
    h.processWatermark(t(8, 10) - 1); // fires [8:00, 8:10)
    feed(h, [
      [t(8, 6), 200n, 'late for [8:00, 8:10) but in [8:05, 8:15)'],
      [t(8, 3), 400n, 'every window fired'],
    ]);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.endInput();
    expect(table(h)).toEqual([
      [t(8, 0), t(8, 10), 100n],
      [t(8, 5), t(8, 15), 300n],
    ]);
  });

  it('drops late rows of TUMBLE and late SESSION rows that cannot join an open session', () => {
    const tumble = harness(op({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 }));
    tumble.processWatermark(t(8, 10) - 1);
    feed(tumble, [[t(8, 9), 100n, 'a']]);
    expect(tumble.metrics.get('numLateRecordsDropped')).toBe(1);

    const session = harness(op({ kind: 'SESSION', gap: 5 * MIN }));
    feed(session, [[t(8, 10), 100n, 'a']]);
    session.processWatermark(t(8, 12));
    // [8:04, 8:09) touches nothing and has passed the watermark; [8:06, 8:11) joins the open [8:10, 8:15).
    feed(session, [
      [t(8, 4), 1n, 'late'],
      [t(8, 6), 10n, 'joins'],
    ]);
    expect(session.metrics.get('numLateRecordsDropped')).toBe(1);
    session.endInput();
    expect(table(session)).toEqual([[t(8, 6), t(8, 15), 110n]]);
  });

  it('frees a HOP slice when its last window fires', () => {
    const o = op({ kind: 'HOP', size: 10 * MIN, slide: 5 * MIN, offset: 0 });
    const h = harness(o);
    feed(h, [[t(8, 7), 100n, 'x']]);
    h.processWatermark(t(8, 10) - 1);
    expect(o.stateSize).toBe(1);
    h.processWatermark(t(8, 15) - 1);
    expect(o.stateSize).toBe(0);
  });

  it('honours an offset: TUMBLE 10 min offset 1 min', () => {
    const h = harness(op({ kind: 'TUMBLE', size: 10 * MIN, offset: MIN }));
    feed(h, BIDS);
    h.endInput();
    expect(table(h)).toEqual([
      [t(8, 1), t(8, 11), 1100n],
      [t(8, 11), t(8, 21), 1000n],
    ]);
  });

  it('restores mid-window from a snapshot and finishes the windows', () => {
    const first = harness(op({ kind: 'CUMULATE', maxSize: 10 * MIN, step: 2 * MIN, offset: 0 }));
    feed(first, BIDS.slice(0, 3));
    first.processWatermark(t(8, 8) - 1); // fires [8:00, 8:06) and [8:00, 8:08)
    const restored = harness(
      op({ kind: 'CUMULATE', maxSize: 10 * MIN, step: 2 * MIN, offset: 0 }),
      first.snapshot(),
    );
    feed(restored, BIDS.slice(3));
    restored.endInput();
    expect([...table(first), ...table(restored)]).toEqual([
      [t(8, 0), t(8, 6), 400n],
      [t(8, 0), t(8, 8), 600n],
      [t(8, 0), t(8, 10), 1100n],
      [t(8, 10), t(8, 12), 300n],
      [t(8, 10), t(8, 14), 400n],
      [t(8, 10), t(8, 16), 400n],
      [t(8, 10), t(8, 18), 1000n],
      [t(8, 10), t(8, 20), 1000n],
    ]);
    const s1 = harness(op({ kind: 'SESSION', gap: 5 * MIN }, [2]));
    feed(s1, [[t(8, 0), 1n, 'a']]);
    const s2 = harness(op({ kind: 'SESSION', gap: 5 * MIN }, [2]), s1.snapshot());
    feed(s2, [[t(8, 4), 2n, 'a']]);
    s2.endInput();
    expect(table(s2)).toEqual([[t(8, 0), t(8, 9), 'a', 3n]]);
  });

  it('DISTINCT, FILTER, MAX and exact BIGINT sums across merged HOP slices', () => {
    const s = Schema.of(
      ['ts', Types.TIMESTAMP(3, true, 'rowtime')],
      ['v', Types.BIGINT()],
      ['keep', Types.BOOLEAN()],
    );
    const aggs = [
      call('COUNT', [1], Types.BIGINT(false), { distinct: true }),
      call('SUM', [1], Types.BIGINT(), { filterArg: 2 }),
      call('MAX', [1], Types.BIGINT()),
    ];
    const h = harness(op({ kind: 'HOP', size: 4, slide: 2, offset: 0 }, [], aggs, s));
    const big = 2n ** 60n;
    feed(h, [
      [0, big, true],
      [1, big, false],
      [2, big, true],
      [3, 7n, null],
    ]);
    h.endInput();
    expect(table(h)).toEqual([
      [-2, 2, 1n, big, big],
      [0, 4, 2n, 2n * big, big],
      [2, 6, 2n, big, big],
    ]);
  });

  it('rejects updates, naming the operator', () => {
    const h = harness(op({ kind: 'TUMBLE', size: MIN, offset: 0 }));
    expect(() => h.processElement([0, 1n, 'a'], null, 0, RowKind.UPDATE_BEFORE)).toThrow(
      /WindowAggregate: window aggregation takes an insert-only input, but got a -U row/,
    );
  });

  it('rejects HOP windows whose size is not a multiple of the slide, as Flink slicing does (SliceAssigners.hopping)', () => {
    expect(() => op({ kind: 'HOP', size: 5000, slide: 2000, offset: 0 })).toThrow(
      'WindowAggregate: Slicing Hopping Window requires size must be an integral multiple of slide, but got size 5000ms and slide 2000ms.',
    );
  });

  it('describes windows as Flink EXPLAIN does', () => {
    expect(describeWindow({ kind: 'TUMBLE', size: 10 * MIN, offset: 0 }, 'bidtime')).toBe(
      'TUMBLE(time_col=[bidtime], size=[10 min])',
    );
    expect(describeWindow({ kind: 'HOP', size: 10 * MIN, slide: 5 * MIN, offset: 0 })).toBe(
      'HOP(size=[10 min], slide=[5 min])',
    );
    expect(describeWindow({ kind: 'CUMULATE', maxSize: 3_600_000, step: 90_000, offset: 1500 })).toBe(
      'CUMULATE(max_size=[1 h], step=[90 s], offset=[1500 ms])',
    );
    expect(describeWindow({ kind: 'SESSION', gap: 5 * MIN })).toBe('SESSION(gap=[5 min])');
  });

  it('windows over a PROCTIME attribute take arrival times and fire on processing time, also after a restore', () => {
    const s = Schema.of(['proc', Types.TIMESTAMP_LTZ(3, false, 'proctime')], ['v', Types.BIGINT()]);
    const spec: WindowSpec = { kind: 'TUMBLE', size: 1000, offset: 0 };
    const make = (): WindowAggregateOperator => op(spec, [], [call('SUM', [1], Types.BIGINT())], s);
    const h = new OperatorTestHarness(make(), { inputs: [s], startTime: 100 }).open();
    // The column's own values are not what counts: the processing time at arrival is (Flink's proctime windows).
    h.processElement([999_999, 1n]);
    h.setProcessingTime(500);
    h.processElement([0, 2n]);
    h.processWatermark(MAX_WATERMARK - 1); // event time does not fire processing-time windows
    h.setProcessingTime(998);
    expect(table(h)).toEqual([]);
    h.setProcessingTime(999);
    expect(table(h)).toEqual([[0, 1000, 3n]]);
    h.setProcessingTime(1500);
    h.processElement([0, 4n]);
    const restored = new OperatorTestHarness(make(), {
      inputs: [s],
      startTime: 1500,
      restoreFrom: h.snapshot(),
    }).open();
    restored.setProcessingTime(1999);
    expect(table(restored)).toEqual([[1000, 2000, 4n]]);
  });

  it('ends bounded input with every window fired', () => {
    const h = harness(op({ kind: 'TUMBLE', size: MIN, offset: 0 }));
    feed(h, [[t(8, 0), 1n, 'a']]);
    h.endInput();
    const events: HarnessEvent[] = h.getOutput();
    expect(events.at(-1)).toEqual(watermark(MAX_WATERMARK));
    expect(table(h)).toEqual([[t(8, 0), t(8, 1), 1n]]);
  });
});
