// Keyed state, timers and side outputs of the ProcessFunction family under the harness: every state kind, TTL on
// the manual clock, timer ordering and deletion, snapshot and restore into a fresh operator.
import { describe, expect, it } from 'vitest';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  OperatorTestHarness,
  OutputTag,
  ProcessOperator,
  ReducingStateDescriptor,
  Schema,
  Types,
  ValueStateDescriptor,
  fieldKeySelector,
  record,
  ttlConfig,
  watermark,
  type AggregatingState,
  type KeyedProcessFunction,
  type ListState,
  type MapState,
  type ReducingState,
  type ValueState,
} from '../../executor/index.js';

const input = Schema.of(['k', Types.STRING()], ['v', Types.INT()]);
const out = Schema.of(['k', Types.STRING()], ['what', Types.STRING()], ['n', Types.DOUBLE()]);

function harness(fn: KeyedProcessFunction, restoreFrom?: Uint8Array): OperatorTestHarness {
  const op = new ProcessOperator('KeyedProcess', out, { kind: 'keyed', fn }, [fieldKeySelector(0, 'k')]);
  return new OperatorTestHarness(op, { inputs: [input], ...(restoreFrom === undefined ? {} : { restoreFrom }) }).open();
}

describe('keyed process functions', () => {
  it('scope every state kind to the current key', () => {
    const h = harness({
      processElement(row, ctx, o) {
        o.collect([ctx.getCurrentKey() as string, 'key', row[1] as number]);
      },
    });
    h.processElements([
      [['a', 1], null],
      [['b', 2], null],
    ]);
    expect(h.extractRows()).toEqual([
      ['a', 'key', 1],
      ['b', 'key', 2],
    ]);

    let value!: ValueState<number>;
    let list!: ListState<number>;
    let map!: MapState<number, number>;
    let red!: ReducingState<number>;
    let agg!: AggregatingState<number, number>;
    const states = harness({
      open(rc) {
        value = rc.getState(new ValueStateDescriptor<number>('sum'));
        list = rc.getListState(new ListStateDescriptor<number>('list'));
        map = rc.getMapState(new MapStateDescriptor<number, number>('map'));
        red = rc.getReducingState(new ReducingStateDescriptor<number>('max', (a, b) => Math.max(a, b)));
        agg = rc.getAggregatingState(
          new AggregatingStateDescriptor<number, [number, number], number>('avg', {
            createAccumulator: () => [0, 0],
            add: (x, [s, n]) => [s + x, n + 1],
            getResult: ([s, n]) => s / n,
            merge: ([a, b], [c, d]) => [a + c, b + d],
          }),
        );
      },
      processElement(row, ctx, o) {
        const v = row[1] as number;
        const k = ctx.getCurrentKey() as string;
        value.update((value.value() ?? 0) + v);
        list.add(v);
        map.put(v, (map.get(v) ?? 0) + 1);
        red.add(v);
        agg.add(v);
        o.collect([k, 'sum', value.value() as number]);
        o.collect([k, 'list', list.get().length]);
        o.collect([k, 'distinct', map.keys().length]);
        o.collect([k, 'max', red.get() as number]);
        o.collect([k, 'avg', agg.get() as number]);
      },
    });
    states.processElements([
      [['a', 4], null],
      [['b', 10], null],
      [['a', 2], null],
      [['a', 4], null],
    ]);
    const last = (k: string, what: string): unknown =>
      states
        .extractRows()
        .filter((r) => r[0] === k && r[1] === what)
        .at(-1)?.[2];
    expect([last('a', 'sum'), last('a', 'list'), last('a', 'distinct'), last('a', 'max'), last('a', 'avg')]).toEqual([
      10, 3, 2, 4, 10 / 3,
    ]);
    expect([last('b', 'sum'), last('b', 'list'), last('b', 'max')]).toEqual([10, 1, 10]);
  });

  it('expires state after its TTL in processing time', () => {
    const desc = new ValueStateDescriptor<number>('count', { ttl: ttlConfig(100) });
    let s!: ValueState<number>;
    const h = harness({
      open: (rc) => void (s = rc.getState(desc)),
      processElement(row, _ctx, o) {
        s.update((s.value() ?? 0) + 1);
        o.collect([row[0] as string, 'count', s.value() as number]);
      },
    });
    h.setProcessingTime(0).processElement(['a', 1]);
    h.setProcessingTime(99).processElement(['a', 1]);
    h.setProcessingTime(198).processElement(['a', 1]);
    // Written at 99: expired at 199 (OnCreateAndWrite), so the count starts over.
    h.setProcessingTime(300).processElement(['a', 1]);
    expect(h.extractRows().map((r) => r[2])).toEqual([1, 2, 3, 1]);
  });

  it('fires timers in time order with the key set, skips deleted ones, and stamps event-time output', () => {
    const h = harness({
      processElement(row, ctx, o) {
        const t = row[1] as number;
        ctx.timerService().registerEventTimeTimer(t);
        ctx.timerService().registerEventTimeTimer(t); // registered once per (key, time)
        if (t === 30) ctx.timerService().deleteEventTimeTimer(20);
        ctx.timerService().registerProcessingTimeTimer(1000 + t);
        o.collect([row[0] as string, 'seen', t]);
      },
      onTimer(ts, ctx, o) {
        o.collect([ctx.getCurrentKey() as string, ctx.timeDomain(), ts]);
      },
    });
    h.processElements([
      [['a', 20], 20],
      [['b', 10], 10],
      [['b', 30], 30],
      [['a', 30], 30],
    ]);
    h.clearOutput().processWatermark(25);
    expect(h.getOutput()).toEqual([record(['b', 'EVENT_TIME', 10], 10), watermark(25)]);
    h.clearOutput().processWatermark(40);
    expect(h.extractRows()).toEqual([
      ['b', 'EVENT_TIME', 30],
      ['a', 'EVENT_TIME', 30],
    ]);
    h.clearOutput().setProcessingTime(1020);
    expect(h.getOutput()).toEqual([record(['b', 'PROCESSING_TIME', 1010]), record(['a', 'PROCESSING_TIME', 1020])]);
  });

  it('emits side outputs with the row timestamp', () => {
    const small = new OutputTag('small', input);
    const h = harness({
      processElement(row, ctx, o) {
        if ((row[1] as number) < 5) ctx.output(small, row);
        else o.collect([row[0] as string, 'big', row[1] as number]);
      },
    });
    h.processElements([
      [['a', 1], 5],
      [['a', 9], 6],
    ]);
    expect(h.getOutput()).toEqual([record(['a', 'big', 9], 6)]);
    expect(h.getSideOutput('small')).toEqual([record(['a', 1], 5)]);
  });

  it('restores state and timers from a snapshot into a fresh operator', () => {
    const fn = (): KeyedProcessFunction => {
      let s!: ValueState<number>;
      return {
        open: (rc) => void (s = rc.getState(new ValueStateDescriptor<number>('sum'))),
        processElement(row, ctx) {
          s.update((s.value() ?? 0) + (row[1] as number));
          ctx.timerService().registerEventTimeTimer(100);
        },
        onTimer(_ts, ctx, o) {
          o.collect([ctx.getCurrentKey() as string, 'sum', s.value() as number]);
        },
      };
    };
    const first = harness(fn());
    first.processElements([
      [['a', 1], 1],
      [['b', 5], 2],
      [['a', 2], 3],
    ]);
    const restored = harness(fn(), first.snapshot());
    restored.processElement(['a', 10], 4).processWatermark(100);
    expect(restored.extractRows()).toEqual([
      ['a', 'sum', 13],
      ['b', 'sum', 5],
    ]);
  });
});
