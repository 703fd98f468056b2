// The window operator under the harness: exact output (rows, timestamps, watermarks, side outputs) for
// out-of-order input, late data with and without allowed lateness, session merging, sliding and cumulative
// windows, count/purging/processing-time triggers, and a snapshot restored into a fresh operator mid-window.
import { describe, expect, it } from 'vitest';
import {
  CountTrigger,
  CumulativeEventTimeWindows,
  EventTimeSessionWindows,
  GlobalWindows,
  OperatorTestHarness,
  OutputTag,
  PurgingTrigger,
  Schema,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  Types,
  WindowOperator,
  countAggregate,
  fieldKeySelector,
  record,
  watermark,
  type ProcessWindowFunction,
  type Trigger,
  type WindowAssigner,
  type WindowContents,
  defaultTrigger,
  type Key,
} from '../../executor/index.js';

const input = Schema.of(['k', Types.STRING()], ['v', Types.INT()]);
const output = Schema.of(['k', Types.STRING()], ['start', Types.DOUBLE()], ['end', Types.DOUBLE()], ['n', Types.INT()]);
const late = new OutputTag('late', input);

/** Emits [key, window start, window end, aggregate or row count]. */
const describeWindow: ProcessWindowFunction = {
  process(key: Key, ctx, elements, out) {
    const n = elements.length === 1 && elements[0]?.length === 1 ? (elements[0][0] as number) : elements.length;
    out.collect([key as string, ctx.window().start, ctx.window().end, n]);
  },
};

function harness(
  assigner: WindowAssigner,
  opts: { lateness?: number; lateTag?: OutputTag; trigger?: Trigger; contents?: WindowContents; restoreFrom?: Uint8Array } = {},
): OperatorTestHarness {
  const op = new WindowOperator('Window', output, {
    assigner,
    trigger: opts.trigger ?? defaultTrigger(assigner),
    contents: opts.contents ?? { kind: 'aggregate', aggregate: countAggregate() },
    windowFunction: describeWindow,
    allowedLateness: opts.lateness ?? 0,
    lateDataTag: opts.lateTag ?? null,
    key: fieldKeySelector(0, 'k'),
  });
  const h = new OperatorTestHarness(op, {
    inputs: [input],
    ...(opts.restoreFrom === undefined ? {} : { restoreFrom: opts.restoreFrom }),
  });
  return h.open();
}

describe('window operator', () => {
  it('fires tumbling windows at watermark >= end - 1, in order, with out-of-order rows counted', () => {
    const h = harness(TumblingEventTimeWindows.of(10));
    h.processElement(['a', 1], 3).processElement(['a', 1], 12).processElement(['a', 1], 1).processElement(['b', 1], 7);
    h.processWatermark(8);
    expect(h.getOutput()).toEqual([watermark(8)]);
    h.processWatermark(9);
    expect(h.getOutput()).toEqual([
      watermark(8),
      record(['a', 0, 10, 2], 9),
      record(['b', 0, 10, 1], 9),
      watermark(9),
    ]);
    h.clearOutput().endInput();
    expect(h.getOutput()).toEqual([record(['a', 10, 20, 1], 19), watermark(Number.MAX_SAFE_INTEGER)]);
  });

  it('drops and counts late rows without allowed lateness, or sends them to the late side output', () => {
    const dropping = harness(TumblingEventTimeWindows.of(10));
    dropping.processElement(['a', 1], 5).processWatermark(10).clearOutput();
    dropping.processElement(['a', 1], 3);
    expect(dropping.getOutput()).toEqual([]);
    expect(dropping.metrics.get('numLateRecordsDropped')).toBe(1);

    const side = harness(TumblingEventTimeWindows.of(10), { lateTag: late });
    side.processElement(['a', 1], 5).processWatermark(10).clearOutput();
    side.processElement(['a', 7], 3);
    expect(side.getSideOutput('late')).toEqual([record(['a', 7], 3)]);
    expect(side.metrics.get('numLateRecordsDropped')).toBe(0);
  });

  it('re-fires with updated results for rows within the allowed lateness, then cleans up', () => {
    const h = harness(TumblingEventTimeWindows.of(10), { lateness: 5, lateTag: late });
    h.processElement(['a', 1], 2).processWatermark(9);
    expect(h.extractRows()).toEqual([['a', 0, 10, 1]]);
    h.clearOutput().processElement(['a', 1], 4);
    // Late but within lateness: the window fires again at once with the updated count.
    expect(h.getOutput()).toEqual([record(['a', 0, 10, 2], 9)]);
    h.clearOutput().processWatermark(14);
    expect(h.getOutput()).toEqual([watermark(14)]);
    h.clearOutput().processElement(['a', 1], 6);
    expect(h.getOutput()).toEqual([]);
    expect(h.getSideOutput('late')).toEqual([record(['a', 1], 6)]);
    expect((h.operator as WindowOperator).stateEntries()).toBe(0);
  });

  it('merges session windows and fires the merged window once', () => {
    const h = harness(EventTimeSessionWindows.withGap(5), { lateTag: late });
    h.processElement(['a', 1], 1).processElement(['a', 1], 10);
    h.processElement(['b', 1], 3);
    // 4 opens [4,9), which overlaps [1,6) (they merge into [1,9)) but not [10,15).
    h.processElement(['a', 1], 4);
    h.processWatermark(9);
    // Timers fire in time order: b's session ends first.
    expect(h.extractRows()).toEqual([
      ['b', 3, 8, 1],
      ['a', 1, 9, 2],
    ]);
    h.clearOutput().processElement(['a', 1], 12).processElement(['a', 1], 7);
    // 7 was late for [1,9) (fired and cleaned) but opens [7,12) which merges with [10,17) into [7,17).
    h.processWatermark(20);
    expect(h.extractRows()).toEqual([['a', 7, 17, 3]]);
  });

  it('merges session windows bridged by a row that arrives late but in time', () => {
    const h = harness(EventTimeSessionWindows.withGap(3));
    h.processElement(['a', 1], 0).processElement(['a', 1], 10).processElement(['a', 1], 5);
    h.processWatermark(6);
    // [0,3) and [5,8) and [10,13) are separate sessions: only the first has ended.
    expect(h.extractRows()).toEqual([['a', 0, 3, 1]]);
    h.clearOutput().processElement(['a', 1], 8);
    // [8,11) joins [5,8) and [10,13) into [5,13).
    h.endInput();
    expect(h.extractRows()).toEqual([['a', 5, 13, 3]]);
  });

  it('assigns sliding and cumulative windows', () => {
    const s = harness(SlidingEventTimeWindows.of(10, 5));
    s.processElement(['a', 1], 7).endInput();
    expect(s.extractRows()).toEqual([
      ['a', 0, 10, 1],
      ['a', 5, 15, 1],
    ]);
    const c = harness(CumulativeEventTimeWindows.of(10, 5));
    c.processElement(['a', 1], 2).processElement(['a', 1], 7).endInput();
    expect(c.extractRows()).toEqual([
      ['a', 0, 5, 1],
      ['a', 0, 10, 2],
    ]);
  });

  it('fires on counts in a global window, purging when asked', () => {
    const plain = harness(GlobalWindows.create(), { trigger: CountTrigger.of(2) });
    plain.processElements([[['a', 1], 1], [['a', 1], 2], [['a', 1], 3], [['a', 1], 4]]);
    expect(plain.extractRows().map((r) => r[3])).toEqual([2, 4]);
    const purging = harness(GlobalWindows.create(), { trigger: PurgingTrigger.of(CountTrigger.of(2)) });
    purging.processElements([[['a', 1], 1], [['a', 1], 2], [['a', 1], 3], [['a', 1], 4]]);
    expect(purging.extractRows().map((r) => r[3])).toEqual([2, 2]);
  });

  it('fires processing-time windows on the manual clock', () => {
    const h = harness(TumblingProcessingTimeWindows.of(100));
    h.setProcessingTime(10).processElement(['a', 1]).processElement(['a', 1]);
    h.setProcessingTime(98);
    expect(h.extractRows()).toEqual([]);
    h.setProcessingTime(99);
    expect(h.extractRows()).toEqual([['a', 0, 100, 2]]);
  });

  it('keeps list contents for a process function and evicts', () => {
    const h = harness(TumblingEventTimeWindows.of(10), { contents: { kind: 'list', evictor: { kind: 'count', maxCount: 2, doEvictAfter: false } } });
    h.processElements([[['a', 1], 1], [['a', 2], 2], [['a', 3], 3]]).processWatermark(9);
    expect(h.extractRows()).toEqual([['a', 0, 10, 2]]);
  });

  it('snapshots mid-window and a fresh operator restored from it fires the same result', () => {
    const h = harness(EventTimeSessionWindows.withGap(5));
    h.processElement(['a', 1], 1).processElement(['a', 1], 4).processElement(['b', 1], 2);
    const bytes = h.snapshot();
    const restored = harness(EventTimeSessionWindows.withGap(5), { restoreFrom: bytes });
    restored.processElement(['a', 1], 8).processWatermark(100);
    expect(restored.getOutput()).toEqual([
      record(['b', 2, 7, 1], 6),
      record(['a', 1, 13, 3], 12),
      watermark(100),
    ]);
  });
});
