// The SQL WatermarkAssigner under pipeline.auto-watermark-interval, with Flink's semantics
// (flink-table-runtime WatermarkAssignerOperator): the current watermark is the largest candidate seen; it is
// emitted when the processing-time timer fires every interval and eagerly when it is more than one interval ahead
// of the last emitted watermark; with interval 0 whenever it grows; the end-of-input watermark always passes.
import { describe, expect, it } from 'vitest';
import {
  OperatorTestHarness,
  Schema,
  Types,
  WatermarkAssignerOperator,
  type HarnessEvent,
} from '../../executor/index.js';
import { TableEnvironment } from '../../index.js';

const schema = Schema.of(['ts', Types.TIMESTAMP(3)]);
// The candidate column is the row's own timestamp (WATERMARK FOR ts AS ts).
const harness = (intervalMs: number): OperatorTestHarness =>
  new OperatorTestHarness(new WatermarkAssignerOperator('WatermarkAssigner', schema, (b) => b, intervalMs), {
    inputs: [schema],
  }).open();
const watermarks = (events: readonly HarnessEvent[]): number[] =>
  events.flatMap((e) => (e.kind === 'watermark' ? [e.timestamp] : []));

describe('WatermarkAssigner and pipeline.auto-watermark-interval', () => {
  it('interval 200 ms: the first watermark at once, then on the timer, eagerly when 200 ms of event time ahead', () => {
    const h = harness(200);
    h.processElement([1000]);
    expect(watermarks(h.getOutput())).toEqual([1000]);
    h.processElement([1100]).processElement([1150]);
    expect(watermarks(h.getOutput())).toEqual([1000]); // 150 ms ahead: held until the timer
    h.setProcessingTime(199);
    expect(watermarks(h.getOutput())).toEqual([1000]);
    h.setProcessingTime(200);
    expect(watermarks(h.getOutput())).toEqual([1000, 1150]);
    h.setProcessingTime(400); // nothing new: no repeated watermark
    expect(watermarks(h.getOutput())).toEqual([1000, 1150]);
    h.processElement([1351]); // 201 ms ahead of the last one: eager
    expect(watermarks(h.getOutput())).toEqual([1000, 1150, 1351]);
    h.processElement([900]); // never backwards
    h.setProcessingTime(600);
    expect(watermarks(h.getOutput())).toEqual([1000, 1150, 1351]);
    // Rows always pass through, before any watermark they cause.
    expect(h.getOutput().filter((e) => e.kind === 'record')).toHaveLength(5);
  });

  it('interval 0: every growth goes out with the batch that caused it', () => {
    const h = harness(0);
    h.processElement([1000]).processElement([1001]).processElement([1001]).processElement([1002]);
    expect(watermarks(h.getOutput())).toEqual([1000, 1001, 1002]);
  });

  it('the end-of-input watermark passes at once whatever the interval; upstream watermarks do not', () => {
    const h = harness(60_000);
    h.processElement([1000]).processElement([2000]);
    h.processWatermark(5000);
    expect(watermarks(h.getOutput())).toEqual([1000]);
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(watermarks(h.getOutput())).toEqual([1000, Number.MAX_SAFE_INTEGER]);
  });

  it('a SQL job reads the key from the session; a malformed value fails naming it', async () => {
    const env = TableEnvironment.create({ config: { 'pipeline.auto-watermark-interval': 'often' } });
    env.executeSql(
      "CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
    );
    await expect(async () => env.executeSql('SELECT * FROM t').materialize()).rejects.toThrow(
      /pipeline\.auto-watermark-interval/,
    );
    env.getConfig().set('pipeline.auto-watermark-interval', '50 ms');
    expect(await env.executeSql('SELECT * FROM t').materialize()).toHaveLength(10);
  });
});
