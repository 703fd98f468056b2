// OVER aggregation under the harness: rows wait for the watermark and come out in time order with the aggregates
// over their frame, as Flink's RowTimeRangeUnboundedPrecedingFunction (peers share a value),
// RowTimeRowsUnboundedPrecedingFunction (each row its own), RowTimeRowsBoundedPrecedingFunction (precedingOffset =
// N + 1 rows, the oldest retracted) and RowTimeRangeBoundedPrecedingFunction (rows older than t - preceding
// retracted) do. Query shape from the Flink docs page "Over Aggregation":
//   SELECT order_id, order_time, amount, SUM(amount) OVER (PARTITION BY product ORDER BY order_time
//   RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS one_hour_prod_amount_sum FROM Orders
// A randomized check compares every emitted aggregate with one recomputed from the frame's definition.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { OperatorTestHarness, record, watermark } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { Schema } from '../../../executor/types/schema.js';
import type { AggCall } from '../../../executor/sql/aggregates.js';
import {
  OverAggregateOperator,
  type OverAggregateConfig,
  type OverFrame,
} from '../../../executor/sql/over-aggregate.js';

const orders = Schema.of(
  ['product', Types.STRING()],
  ['order_time', Types.TIMESTAMP(3)],
  ['amount', Types.INT()],
);
const SUM: AggCall = {
  kind: 'SUM',
  args: [2],
  distinct: false,
  filterArg: -1,
  resultType: Types.INT(),
  name: 's',
};
const COUNT: AggCall = {
  kind: 'COUNT',
  args: [],
  distinct: false,
  filterArg: -1,
  resultType: Types.BIGINT(false),
  name: 'c',
};
const MAX: AggCall = {
  kind: 'MAX',
  args: [2],
  distinct: false,
  filterArg: -1,
  resultType: Types.INT(),
  name: 'm',
};
const out = new Schema([
  ...orders.fields,
  { name: 's', type: Types.INT() },
  { name: 'c', type: Types.BIGINT(false) },
]);

function over(
  frame: OverFrame,
  extra: Partial<OverAggregateConfig> = {},
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const cfg: OverAggregateConfig = {
    name: 'OverAggregate',
    inputSchema: orders,
    partitionKeys: [0],
    timeCol: 1,
    isRowtime: true,
    frame,
    aggs: [SUM, COUNT],
    outputSchema: out,
    ...extra,
  };
  return new OperatorTestHarness(new OverAggregateOperator(cfg), {
    inputs: [orders],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

const input: Value[][] = [
  ['a', 1, 10],
  ['a', 3, 20],
  ['b', 2, 7],
  ['a', 3, 5],
  ['a', 5, 1],
];

describe('OverAggregateOperator on event time', () => {
  it('RANGE UNBOUNDED PRECEDING: rows of one time are peers and share the value; nothing before the watermark', () => {
    const h = over({ kind: 'RANGE', preceding: Infinity });
    h.processBatch(batchFromRows(orders, input));
    expect(h.extractRows()).toEqual([]);
    h.processWatermark(3);
    expect(h.getOutput()).toEqual([
      record(['a', 1, 10, 10, 1n]),
      record(['a', 3, 20, 35, 3n]),
      record(['a', 3, 5, 35, 3n]),
      record(['b', 2, 7, 7, 1n]),
      watermark(3),
    ]);
    h.clearOutput().processWatermark(10);
    expect(h.getOutput()).toEqual([record(['a', 5, 1, 36, 4n]), watermark(10)]);
  });

  it('ROWS UNBOUNDED PRECEDING: each row frame ends at itself (arrival order among peers)', () => {
    const h = over({ kind: 'ROWS', preceding: Infinity });
    h.processBatch(batchFromRows(orders, input)).endInput();
    expect(h.extractRows()).toEqual([
      ['a', 1, 10, 10, 1n],
      ['a', 3, 20, 30, 2n],
      ['a', 3, 5, 35, 3n],
      ['a', 5, 1, 36, 4n],
      ['b', 2, 7, 7, 1n],
    ]);
  });

  it('ROWS BETWEEN 1 PRECEDING AND CURRENT ROW: two rows, across watermarks', () => {
    const h = over({ kind: 'ROWS', preceding: 1 });
    h.processBatch(batchFromRows(orders, input));
    h.processWatermark(1).processWatermark(3).processWatermark(4).processWatermark(5);
    expect(h.extractRows()).toEqual([
      ['a', 1, 10, 10, 1n],
      ['a', 3, 20, 30, 2n],
      ['a', 3, 5, 25, 2n],
      ['b', 2, 7, 7, 1n],
      ['a', 5, 1, 6, 2n],
    ]);
  });

  it('RANGE BETWEEN 2 PRECEDING AND CURRENT ROW (ms): rows more than 2 ms older leave; MAX retracts', () => {
    const h = over(
      { kind: 'RANGE', preceding: 2 },
      {
        aggs: [SUM, MAX],
        outputSchema: new Schema([
          ...orders.fields,
          { name: 's', type: Types.INT() },
          { name: 'm', type: Types.INT() },
        ]),
      },
    );
    h.processBatch(batchFromRows(orders, input));
    h.processWatermark(3);
    h.processBatch(batchFromRows(orders, [['a', 6, 2]]));
    h.endInput();
    expect(h.extractRows()).toEqual([
      ['a', 1, 10, 10, 10],
      ['a', 3, 20, 35, 20], // 3 - 1 = 2 is not more than 2: the row at 1 is still in
      ['a', 3, 5, 35, 20],
      ['b', 2, 7, 7, 7],
      ['a', 5, 1, 26, 20], // the row at 1 left
      ['a', 6, 2, 3, 2], // the rows at 3 left
    ]);
  });

  it('drops late rows: behind the watermark for unbounded frames, at or before the last emitted time for bounded', () => {
    const unbounded = over({ kind: 'RANGE', preceding: Infinity });
    unbounded.processBatch(batchFromRows(orders, [['a', 5, 1]])).processWatermark(10);
    unbounded.processBatch(
      batchFromRows(orders, [
        ['a', 7, 1],
        ['a', 10, 1],
        ['a', 11, 1],
      ]),
    );
    expect(unbounded.metrics.get('numLateRecordsDropped')).toBe(2);

    const bounded = over({ kind: 'ROWS', preceding: 5 });
    bounded.processBatch(batchFromRows(orders, [['a', 5, 1]])).processWatermark(10);
    bounded.processBatch(
      batchFromRows(orders, [
        ['a', 5, 2],
        ['a', 7, 3],
        ['b', 1, 4],
      ]),
    );
    expect(bounded.metrics.get('numLateRecordsDropped')).toBe(1);
    bounded.clearOutput().processWatermark(11);
    expect(bounded.extractRows()).toEqual([
      ['a', 7, 3, 4, 2n],
      ['b', 1, 4, 4, 1n],
    ]);
  });

  it("RANGE bounded: rows before the epoch are late, and a key's state is cleaned 1.5 frames after its last row (RowTimeRangeBoundedPrecedingFunctionTest)", () => {
    const h = over({ kind: 'RANGE', preceding: 2000 });
    // lastTriggeringTs starts at 0 in Flink: a row at 0 is late.
    h.processBatch(
      batchFromRows(orders, [
        ['key', 0, 1],
        ['key', 100, 1],
        ['key', 100, 1],
        ['key', 500, 1],
      ]),
    );
    h.processWatermark(500);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.processBatch(batchFromRows(orders, [['key', 400, 1]])); // testLateRecordMetrics: at or before 500
    expect(h.metrics.get('numLateRecordsDropped')).toBe(2);
    // The cleanup timer at 100 + 1.5 * 2000 + 1 = 3101 drops the rows and accumulators but keeps the last time.
    h.processWatermark(1000).processWatermark(4000);
    h.processBatch(batchFromRows(orders, [['key', 400, 1]])); // testProcessElementAfterCleanUpStates
    expect(h.metrics.get('numLateRecordsDropped')).toBe(3);
    // A row after 500 is not late, though far behind the watermark; its frame no longer sees 100 and 500.
    h.clearOutput()
      .processBatch(batchFromRows(orders, [['key', 600, 7]]))
      .processWatermark(4001);
    expect(h.extractRows()).toEqual([['key', 600, 7, 7, 1n]]);
  });

  it('RANGE bounded: a stale cleanup timer still advances the time rows must be after', () => {
    const h = over({ kind: 'RANGE', preceding: 2000 });
    // Cleanup timers: 3101 for the row at 100, then 5201 for the one at 2200 (3101 is left registered, stale).
    h.processBatch(
      batchFromRows(orders, [
        ['key', 100, 1],
        ['key', 2200, 2],
      ]),
    ).processWatermark(3200);
    h.clearOutput().processBatch(
      batchFromRows(orders, [
        ['key', 3000, 4],
        ['key', 3150, 8],
      ]),
    );
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
    h.processWatermark(3200 + 1);
    expect(h.extractRows()).toEqual([['key', 3150, 8, 10, 2n]]);
  });

  it('restores accumulators, waiting rows and the rows still in a bounded frame', () => {
    const h = over({ kind: 'ROWS', preceding: 1 });
    h.processBatch(batchFromRows(orders, input)).processWatermark(3);
    const r = over({ kind: 'ROWS', preceding: 1 }, {}, h.snapshot());
    r.processBatch(
      batchFromRows(orders, [
        ['a', 4, 100],
        ['a', 3, 9],
      ]),
    ); // 3 is at the last emitted time: late
    r.endInput();
    expect(r.extractRows()).toEqual([
      ['a', 4, 100, 105, 2n],
      ['a', 5, 1, 101, 2n],
    ]);
    expect(r.metrics.get('numLateRecordsDropped')).toBe(1);
  });

  it('rejects updating input', () => {
    const h = over({ kind: 'RANGE', preceding: Infinity });
    expect(() => h.processBatch(batchFromRows(orders, [input[0] as Value[]], [1]))).toThrow(/insert-only/);
  });
});

describe('OverAggregateOperator on processing time', () => {
  it('an unbounded frame takes each row at once, on its own (ProcTimeUnboundedPrecedingFunction)', () => {
    const h = over({ kind: 'RANGE', preceding: Infinity }, { isRowtime: false });
    h.processBatch(
      batchFromRows(orders, [
        ['a', 0, 1],
        ['a', 0, 2],
      ]),
    );
    expect(h.extractRows()).toEqual([
      ['a', 0, 1, 1, 1n],
      ['a', 0, 2, 3, 2n],
    ]);
  });

  it('a RANGE frame emits the rows of a millisecond, as peers, once it has passed (ProcTimeRangeBoundedPrecedingFunction)', () => {
    const h = over({ kind: 'RANGE', preceding: 10 }, { isRowtime: false });
    h.setProcessingTime(100).processBatch(batchFromRows(orders, [['a', 0, 1]]));
    h.processBatch(batchFromRows(orders, [['a', 0, 2]])); // same millisecond: a peer
    expect(h.extractRows()).toEqual([]);
    h.setProcessingTime(101);
    expect(h.extractRows()).toEqual([
      ['a', 0, 1, 3, 2n],
      ['a', 0, 2, 3, 2n],
    ]);
    h.clearOutput().processBatch(batchFromRows(orders, [['a', 0, 8]]));
    const snap = h.snapshot();
    h.setProcessingTime(111)
      .processBatch(batchFromRows(orders, [['a', 0, 4]]))
      .setProcessingTime(112);
    expect(h.extractRows()).toEqual([
      ['a', 0, 8, 11, 3n], // at 101: the rows at 100 are 1 ms old
      ['a', 0, 4, 12, 2n], // at 111: the rows at 100 are 11 ms old, out of the frame
    ]);
    // Restored, the waiting row goes out after the next millisecond; a bounded input's end flushes the rest.
    const op = new OverAggregateOperator({
      name: 'OverAggregate',
      inputSchema: orders,
      partitionKeys: [0],
      timeCol: 1,
      isRowtime: false,
      frame: { kind: 'RANGE', preceding: 10 },
      aggs: [SUM, COUNT],
      outputSchema: out,
    });
    const r = new OperatorTestHarness(op, { inputs: [orders], restoreFrom: snap, startTime: 150 }).open();
    r.setProcessingTime(200);
    expect(r.extractRows()).toEqual([['a', 0, 8, 11, 3n]]);
    r.processBatch(batchFromRows(orders, [['a', 0, 16]]));
    r.endInput();
    expect(r.extractRows()).toEqual([
      ['a', 0, 8, 11, 3n],
      ['a', 0, 16, 16, 1n],
    ]);
  });
});

describe('OverAggregateOperator against frames recomputed from their definition', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }
  const frames: OverFrame[] = [
    { kind: 'ROWS', preceding: 0 },
    { kind: 'ROWS', preceding: 3 },
    { kind: 'RANGE', preceding: 0 },
    { kind: 'RANGE', preceding: 4 },
    { kind: 'ROWS', preceding: Infinity },
    { kind: 'RANGE', preceding: Infinity },
  ];
  for (const frame of frames) {
    it(`${frame.kind} ${frame.preceding} PRECEDING`, () => {
      const rand = rng(
        frame.preceding === Infinity ? 99 : frame.preceding * 7 + (frame.kind === 'ROWS' ? 1 : 2),
      );
      let h = over(frame);
      let wm = 0;
      let sent = 0;
      const before: Value[][] = []; // rows emitted before the restore
      for (let step = 0; step < 60; step++) {
        const rows: Value[][] = [];
        const n = Math.floor(rand() * 5);
        // Rows up to 2 ms behind the watermark, except for bounded RANGE frames: there Flink's state cleanup (tested
        // above) makes a frame forget rows that a row arriving behind the watermark would otherwise still see.
        const behind = frame.kind === 'RANGE' && frame.preceding !== Infinity ? -1 : 2;
        for (let i = 0; i < n; i++)
          rows.push([
            rand() < 0.5 ? 'a' : 'b',
            wm + Math.floor(rand() * 8) - behind,
            Math.floor(rand() * 100),
          ]);
        sent += rows.length;
        if (rows.length > 0) h.processBatch(batchFromRows(orders, rows));
        if (rand() < 0.5) h.processWatermark((wm += Math.floor(rand() * 4)));
        if (step === 30) {
          const snap = h.snapshot();
          before.push(...h.extractRows());
          const late = h.metrics.get('numLateRecordsDropped');
          h = over(frame, {}, snap);
          h.metrics.inc('numLateRecordsDropped', late);
        }
      }
      h.endInput();
      const emitted = [...before, ...h.extractRows()];
      expect(emitted.length + h.metrics.get('numLateRecordsDropped')).toBe(sent);
      for (const part of ['a', 'b']) {
        const seq = emitted.filter((r) => r[0] === part);
        seq.forEach((r, i) => {
          const t = r[1] as number;
          const frameRows =
            frame.kind === 'ROWS'
              ? seq.slice(Math.max(0, i - frame.preceding), i + 1)
              : seq.filter((x) => (x[1] as number) <= t && t - (x[1] as number) <= frame.preceding);
          const sum = frameRows.reduce((s, x) => s + (x[2] as number), 0);
          expect([r[3], r[4]], `${part} row ${i} at ${t}`).toEqual([sum, BigInt(frameRows.length)]);
          if (i > 0) expect(t).toBeGreaterThanOrEqual(seq[i - 1]?.[1] as number);
        });
      }
    });
  }
});
