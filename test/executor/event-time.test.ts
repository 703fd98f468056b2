// Event time and flow control: watermark generation (per record, periodic and only when growing, idleness),
// the minimum over input channels with idle ones left out, an idle source not holding back a window end to end,
// and backpressure from a slow sink bounding every channel.
import { describe, expect, it } from 'vitest';
import {
  OperatorTestHarness,
  Schema,
  StreamExecutionEnvironment,
  TimestampsAndWatermarksOperator,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  WatermarkValve,
  GeneratorSource,
  record,
  watermark,
  type Row,
  type Source,
  type StreamElement,
  RowBatchBuilder,
} from '../../executor/index.js';

const schema = Schema.of(['k', Types.STRING()], ['ts', Types.DOUBLE()]);

function assigner(strategy: WatermarkStrategy, autoWatermarkInterval: number): OperatorTestHarness {
  const op = new TimestampsAndWatermarksOperator('wm', schema, strategy);
  return new OperatorTestHarness(op, { inputs: [schema], autoWatermarkInterval }).open();
}

describe('watermark generation', () => {
  it('with interval 0 emits after each row that raises it, cutting the batch there', () => {
    const h = assigner(WatermarkStrategy.forBoundedOutOfOrderness(2).withTimestampAssigner('ts'), 0);
    h.processElements([
      [['a', 5], null],
      [['a', 3], null],
      [['a', 10], null],
      [['a', 8], null],
    ]);
    expect(h.getOutput()).toEqual([
      record(['a', 5], 5),
      watermark(2),
      record(['a', 3], 3),
      record(['a', 10], 10),
      watermark(7),
      record(['a', 8], 8),
    ]);
  });

  it('emits periodically on the auto-watermark interval and only when it grows', () => {
    const h = assigner(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts'), 200);
    h.processElement(['a', 100]);
    expect(h.getOutput()).toEqual([record(['a', 100], 100)]);
    h.setProcessingTime(200);
    expect(h.getOutput().at(-1)).toEqual(watermark(99));
    h.clearOutput().setProcessingTime(400);
    expect(h.getOutput()).toEqual([]);
    h.processElement(['a', 150]).setProcessingTime(600);
    expect(h.getOutput()).toEqual([record(['a', 150], 150), watermark(149)]);
  });

  it('supports punctuated generators and timestamp functions', () => {
    const h = assigner(
      WatermarkStrategy.forGenerator(() => ({
        onEvent(row, ts, out) {
          if (row[0] === 'mark') out.emitWatermark(ts);
        },
        onPeriodicEmit() {},
      })).withTimestampAssigner((row) => (row[1] as number) * 10),
      200,
    );
    h.processElements([
      [['a', 1], null],
      [['mark', 2], null],
    ]);
    expect(h.getOutput()).toEqual([record(['a', 1], 10), record(['mark', 2], 20), watermark(20)]);
  });

  it('marks the stream idle after the idle timeout without rows and active again on the next row', () => {
    const h = assigner(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts').withIdleness(1000), 200);
    h.processElement(['a', 1]);
    // Checks run every 200 ms; inactivity counts from the first check without rows (400), as in Flink.
    h.setProcessingTime(1200);
    expect(h.getOutput().some((e) => e.kind === 'status')).toBe(false);
    h.setProcessingTime(1400);
    expect(h.getOutput().at(-1)).toEqual({ kind: 'status', idle: true });
    h.clearOutput().processElement(['a', 5]);
    expect(h.getOutput()[0]).toEqual({ kind: 'status', idle: false });
  });

  it('forwards only the final upstream watermark', () => {
    const h = assigner(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts'), 200);
    h.processWatermark(50).processWatermark(Number.MAX_SAFE_INTEGER);
    expect(h.getOutput()).toEqual([watermark(Number.MAX_SAFE_INTEGER)]);
  });
});

describe('watermark valve', () => {
  it('takes the minimum over channels and leaves idle ones out until they catch up', () => {
    const v = new WatermarkValve(2);
    expect(v.onWatermark(0, 10)).toEqual({ kind: 'none' });
    expect(v.onWatermark(1, 5)).toEqual({ kind: 'watermark', timestamp: 5 });
    expect(v.onWatermark(1, 20)).toEqual({ kind: 'watermark', timestamp: 10 });
    expect(v.onStatus(0, true)).toEqual([{ kind: 'watermark', timestamp: 20 }]);
    expect(v.onStatus(1, true)).toEqual([{ kind: 'status', idle: true }]);
    // Channel 0 comes back behind the output: it rejoins only when it catches up, event time never goes back.
    expect(v.onStatus(0, false)).toEqual([{ kind: 'status', idle: false }]);
    expect(v.onWatermark(0, 15)).toEqual({ kind: 'none' });
    expect(v.current).toBe(20);
    expect(v.onWatermark(0, 25)).toEqual({ kind: 'watermark', timestamp: 25 });
    expect(v.onEnd(0)).toEqual({ kind: 'none' });
  });
});

/** An unbounded source that emits its rows once and then stays silent until cancelled. */
function silentAfter(rows: Row[]): Source {
  return {
    outputSchema: schema,
    bounded: false,
    createReader: () => ({
      outputSchema: schema,
      async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
        const b = new RowBatchBuilder(schema);
        for (const r of rows) b.append(r);
        const batch = b.build();
        if (batch !== null) yield { kind: 'batch', batch };
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
      close: async () => {},
    }),
  };
}

describe('end to end', () => {
  it('fires windows while one input is idle, because idle inputs leave the minimum', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ autoWatermarkInterval: 10 });
    const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts').withIdleness(30);
    const busy = env.fromSource(silentAfter([['a', 1000], ['a', 2000], ['a', 25000]]), strategy, 'busy');
    const idle = env.fromSource(silentAfter([]), strategy, 'idle');
    const counts = busy
      .union(idle)
      .keyBy('k')
      .window(TumblingEventTimeWindows.of(10_000))
      .count(Schema.of(['n', Types.INT()]));
    const it = counts.executeAndCollect()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toEqual([2]);
    await it.return?.(undefined);
  });

  it('keeps channels bounded behind a slow sink (backpressure) and still delivers everything', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, channelCapacity: 4, batchSize: 64 });
    const src = GeneratorSource.ofRows(Schema.of(['i', Types.INT()]), (i) => [i % 10], { count: 64 * 200, batchSize: 64 });
    let rows = 0;
    env
      .fromSource(src, null, 'gen')
      .keyBy('i')
      .map((r) => r)
      .addSink(() => ({
        write: async (b) => {
          rows += b.length;
          await new Promise((r) => setImmediate(r));
        },
        finish: () => {},
        close: async () => {},
      }))
      .setParallelism(1);
    const job = env.executeAsync('slow sink');
    await job.getJobExecutionResult();
    expect(rows).toBe(64 * 200);
    // A producer takes input only while its channels have room; a buffer-timeout flush (a mail) may add one.
    const peak = Math.max(...job.channels.map((c) => c.peak));
    expect(peak).toBeLessThanOrEqual(4 + 1);
  });
});
