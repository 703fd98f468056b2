// The DataStream API end to end on the local executor: transformations, chaining, partitioners and
// parallelism, keyed aggregations, unions, connected streams, side outputs, interval joins, event-time windows
// over out-of-order input, bounded termination and cancellation.
import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  OutputTag,
  Schema,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  type Collector,
  type DataStream,
  type KeyedStream,
  type ProcessFunction,
  type Row,
  type RuntimeContext,
  type Value,
} from '../../executor/index.js';

async function collect(stream: DataStream): Promise<Row[]> {
  const out: Row[] = [];
  for await (const r of stream.executeAndCollect()) out.push(r);
  return out;
}

const sortRows = (rows: Value[][]): Value[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const wordSchema = Schema.of(['word', Types.STRING()], ['n', Types.INT()], ['ts', Types.DOUBLE()]);

describe('DataStream API', () => {
  it('runs map, flatMap and filter, and keeps row order through a forward chain', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const lines = env.fromElements(['to be or'], ['not to be']);
    const words = lines
      .flatMap((row, out) => {
        for (const w of (row[0] as string).split(' ')) out.collect([w, 1]);
      }, Schema.of(['word', Types.STRING()], ['one', Types.INT()]))
      .filter((r) => r[0] !== 'or')
      .map((r) => [(r[0] as string).toUpperCase(), r[1] as number]);
    expect(await collect(words)).toEqual([
      ['TO', 1],
      ['BE', 1],
      ['NOT', 1],
      ['TO', 1],
      ['BE', 1],
    ]);
  });

  it('chains forward edges of equal parallelism and cuts chains at hash and rebalance edges', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const s = env.fromElements(['a', 1]).map((r) => r).setParallelism(2);
    s.filter(() => true)
      .keyBy('f0')
      .sum('f1')
      .rebalance()
      .print();
    // Transformation ids are global to the process: number the vertices by position for a stable plan.
    const plan = env.explain();
    const ids = [...plan.matchAll(/^(\d+):/gm)].map((m) => m[1] as string);
    const stable = plan.replace(/\b\d+\b(?=:| from|$)/gm, (id) => `v${ids.indexOf(id)}`);
    expect(stable).toBe(
      [
        'v0: Collection Source [parallelism=1]',
        'v1: Map -> Filter [parallelism=2] <- REBALANCE from v0',
        'v2: Keyed Reduce [parallelism=2] <- HASH[f0] from v1',
        'v3: Print to Std. Out [parallelism=2] <- REBALANCE from v2',
      ].join('\n'),
    );
  });

  it('routes every row of a key to the same subtask and sums per key at parallelism 3', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const rows = Array.from({ length: 300 }, (_, i) => [`k${i % 7}`, 1]);
    const sums = env
      .fromCollection(rows)
      .rebalance()
      .keyBy('f0')
      .process(
        {
          processElement(row, ctx, out) {
            out.collect([row[0] as string, ctx.getCurrentKey() as string]);
          },
        },
        Schema.of(['key', Types.STRING()], ['seen', Types.STRING()]),
      );
    const out = await collect(sums);
    expect(out).toHaveLength(300);
    for (const [k, seen] of out) expect(seen).toBe(k);
    const rolling = await collect(env.fromCollection(rows).keyBy('f0').sum('f1'));
    const finals = new Map<string, number>();
    for (const [k, n] of rolling) finals.set(k as string, Math.max(finals.get(k as string) ?? 0, n as number));
    expect([...finals.values()].reduce((a, b) => a + b)).toBe(300);
    expect(finals.get('k0')).toBe(43);
  });

  // Each parallel instance gets its own copy of a function object (fields set in open are per subtask).
  it('broadcasts to every subtask, and global sends everything to one', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const tag = Schema.of(['v', Types.INT()], ['subtask', Types.INT()]);
    class Tagger implements ProcessFunction {
      idx = -1;
      open(rc: RuntimeContext): void {
        this.idx = rc.indexOfThisSubtask;
      }
      processElement(row: Row, _ctx: unknown, out: Collector): void {
        out.collect([row[0] as number, this.idx]);
      }
    }
    // One function object for all subtasks, as a user would pass it.
    const tagger = new Tagger();
    const withSubtask = (s: DataStream): DataStream => s.process(tagger, tag);
    const b = await collect(withSubtask(env.fromElements([1], [2]).broadcast()));
    expect(sortRows(b)).toEqual(sortRows([[1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]]));
    const g = await collect(withSubtask(env.fromElements([1], [2]).setParallelism(1).rescale().global()));
    expect(g.every((r) => r[1] === 0)).toBe(true);
  });

  it('unions streams and connects two keyed streams with shared state', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const a = env.fromElements(['x', 1], ['y', 2]);
    const b = env.fromElements(['x', 10]);
    expect(sortRows(await collect(a.union(b)))).toEqual([
      ['x', 1],
      ['x', 10],
      ['y', 2],
    ]);
    const prices = env.fromElements(['x', 5], ['y', 7]);
    const orders = env.fromElements(['x', 2], ['y', 3], ['z', 1]);
    const joined = prices
      .connect(orders)
      .keyBy('f0', 'f0')
      .process(
        {
          processElement1(row, ctx, out) {
            void ctx;
            out.collect([row[0] as string, 'price', row[1] as number]);
          },
          processElement2(row, _ctx, out) {
            out.collect([row[0] as string, 'qty', row[1] as number]);
          },
        },
        Schema.of(['k', Types.STRING()], ['side', Types.STRING()], ['v', Types.INT()]),
      );
    expect(await collect(joined)).toHaveLength(5);
  });

  it('routes side outputs to their own stream', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const odd = new OutputTag('odd', Schema.of(['v', Types.INT()]));
    const main = env.fromElements([1], [2], [3], [4]).process({
      processElement(row, ctx, out) {
        if ((row[0] as number) % 2 === 1) ctx.output(odd, row);
        else out.collect(row);
      },
    });
    const side = main.getSideOutput(odd);
    const got: Row[] = [];
    side.addSink(() => ({
      write: (b) => void got.push(...Array.from((b.columns[0] as { values: Int32Array }).values.slice(0, b.length), (v) => [v])),
      finish: () => {},
      close: async () => {},
    }));
    expect(await collect(main)).toEqual([[2], [4]]);
    expect(got).toEqual([[1], [3]]);
  });

  it('windows out-of-order events by event time and ends bounded input with the maximal watermark', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });
    const events = env.fromCollection(
      [
        ['a', 1, 1000],
        ['b', 1, 1500],
        ['a', 1, 12000],
        ['a', 1, 4000], // out of order, within the 5 s bound
        ['a', 1, 9000],
        ['b', 1, 21000],
        ['a', 1, 2000], // later than the bound: dropped
      ],
      wordSchema,
    );
    const counts = events
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5000).withTimestampAssigner('ts'))
      .keyBy('word')
      .window(TumblingEventTimeWindows.of(10_000))
      .count(Schema.of(['word', Types.STRING()], ['start', Types.DOUBLE()], ['n', Types.INT()]), {
        process(key, ctx, els, out) {
          out.collect([key as string, ctx.window().start, els[0]?.[0] as number]);
        },
      });
    expect(sortRows(await collect(counts))).toEqual([
      ['a', 0, 3],
      ['a', 10000, 1],
      ['b', 0, 1],
      ['b', 20000, 1],
    ]);
  });

  it('merges sessions end to end', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ autoWatermarkInterval: 0 });
    const rows = [
      ['u', 1, 0],
      ['v', 1, 1000],
      ['u', 1, 3000],
      ['u', 1, 20000],
    ];
    const sessions = env
      .fromCollection(rows, wordSchema)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts'))
      .keyBy('word')
      .window(EventTimeSessionWindows.withGap(5000))
      .count(Schema.of(['k', Types.STRING()], ['start', Types.DOUBLE()], ['end', Types.DOUBLE()], ['n', Types.INT()]), {
        process(key, ctx, els, out) {
          out.collect([key as string, ctx.window().start, ctx.window().end, els[0]?.[0] as number]);
        },
      });
    expect(sortRows(await collect(sessions))).toEqual([
      ['u', 0, 8000, 2],
      ['u', 20000, 25000, 1],
      ['v', 1000, 6000, 1],
    ]);
  });

  it('joins keyed streams on a time interval', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ autoWatermarkInterval: 0 });
    const ts = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts');
    const left = env.fromCollection([['a', 1, 1000], ['a', 2, 5000]], wordSchema).assignTimestampsAndWatermarks(ts).keyBy('word');
    const right = env.fromCollection([['a', 10, 1500], ['a', 20, 9000]], wordSchema).assignTimestampsAndWatermarks(ts).keyBy('word');
    const joined = left
      .intervalJoin(right)
      .between(0, 1000)
      .process((l, r, out) => out.collect([l[1] as number, r[1] as number]), Schema.of(['l', Types.INT()], ['r', Types.INT()]));
    expect(await collect(joined)).toEqual([[1, 10]]);
  });

  it('reports status and stops an unbounded job on cancel', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const { GeneratorSource } = await import('../../executor/index.js');
    const src = GeneratorSource.ofRows(Schema.of(['i', Types.INT()]), (i) => [i], { count: Infinity, batchSize: 64 });
    let seen = 0;
    env.fromSource(src, null, 'gen').addSink(() => ({
      write: (b) => void (seen += b.length),
      finish: () => {},
      close: async () => {},
    }));
    const job = env.executeAsync('endless');
    while (seen < 1000) await new Promise((r) => setTimeout(r, 5));
    expect(job.getJobStatus()).toBe('RUNNING');
    await job.cancel();
    expect(job.getJobStatus()).toBe('CANCELED');
    await expect(job.getJobExecutionResult()).rejects.toThrow(/cancelled/);
  });

  it('finishes a bounded job and reports its metrics', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.fromCollection(Array.from({ length: 50 }, (_, i) => [i])).rebalance().map((r) => r).addSink(() => ({
      write: () => {},
      finish: () => {},
      close: async () => {},
    }));
    const result = await env.execute('bounded');
    expect(result.jobName).toBe('bounded');
    expect(result.metrics.numRecordsIn).toBeGreaterThanOrEqual(100);
  });

  it('keeps rolling min, max, minBy and maxBy per key', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const rows = [
      ['a', 5, 1],
      ['a', 3, 2],
      ['a', 9, 3],
    ];
    const last = async (f: (s: KeyedStream) => DataStream): Promise<Row | undefined> =>
      (await collect(f(env.fromCollection(rows).keyBy('f0')))).at(-1);
    // min/max replace only the field (other fields from the first row); minBy/maxBy return the whole row.
    expect(await last((s) => s.min('f1'))).toEqual(['a', 3, 1]);
    expect(await last((s) => s.max('f1'))).toEqual(['a', 9, 1]);
    expect(await last((s) => s.minBy('f1'))).toEqual(['a', 3, 2]);
    expect(await last((s) => s.maxBy('f1'))).toEqual(['a', 9, 3]);
  });

  it('in BATCH mode rejects unbounded sources and emits only the final watermark', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ runtimeMode: 'BATCH' });
    const { GeneratorSource } = await import('../../executor/index.js');
    const endless = GeneratorSource.ofRows(Schema.of(['i', Types.INT()]), (i) => [i], { count: Infinity });
    expect(() => env.fromSource(endless, null, 'endless')).toThrow(/bounded/);
    const counts = env
      .fromCollection([['a', 1, 1000], ['a', 1, 30000], ['a', 1, 2000]], wordSchema)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts'))
      .keyBy('word')
      .window(TumblingEventTimeWindows.of(10_000))
      .count(Schema.of(['n', Types.INT()]));
    // No intermediate watermark: the row at 2000 is not late, both windows fire at the end.
    expect(sortRows(await collect(counts))).toEqual([[1], [2]]);
  });
});
