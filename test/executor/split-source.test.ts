// FLIP-27 split sources: the enumerator's splits spread over parallel readers, per-split positions that snapshot to
// bytes and restore, continuous discovery, and per-split watermarks merged by minimum inside the reader with idle
// splits left out (Flink's SourceOperator + WatermarkOutputMultiplexer; "Watermark Strategies and the Kafka
// Connector" in docs/dev/datastream/event-time/generating_watermarks: "watermarks are generated per Kafka
// partition ... merged in the same way as watermarks are merged on stream shuffles").
import { describe, expect, it } from 'vitest';
import {
  RowBatchBuilder,
  Schema,
  SplitSource,
  SplitWatermarkMultiplexer,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  batchToRows,
  columnWatermarks,
  type SourceSplit,
  type SplitPosition,
  type SplitRecords,
  type StreamElement,
} from '../../executor/index.js';

const schema = Schema.of(['k', Types.STRING()], ['ts', Types.DOUBLE()]);

/** A split of timestamps, read one batch per entry after `delayMs` each; unbounded ones then wait forever. */
interface MemSplit extends SourceSplit {
  readonly batches: ReadonlyArray<readonly number[]>;
  readonly delayMs?: number;
  readonly hold?: boolean;
}

function memSource(
  splits: () => readonly MemSplit[],
  discoveryIntervalMs: number | null,
): SplitSource<MemSplit> {
  return new SplitSource<MemSplit>(
    schema,
    { discoverSplits: async () => splits() },
    {
      async *read(split, position, signal): AsyncGenerator<SplitRecords> {
        for (let i = typeof position === 'number' ? position : 0; i < split.batches.length; i++) {
          if (split.delayMs !== undefined) await new Promise((r) => setTimeout(r, split.delayMs));
          if (signal.aborted) return;
          const b = new RowBatchBuilder(schema);
          for (const ts of split.batches[i] as number[]) b.append([split.splitId, ts]);
          yield {
            batch: b.build() as NonNullable<ReturnType<RowBatchBuilder['build']>>,
            position: (i + 1) satisfies SplitPosition,
          };
        }
        if (split.hold === true)
          await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      },
    },
    { discoveryIntervalMs, assign: (s, p) => Number(s.splitId.slice(1)) % p },
  );
}

async function drain(
  iter: AsyncIterable<StreamElement>,
  stop?: (e: StreamElement, all: string[]) => boolean,
): Promise<string[]> {
  const out: string[] = [];
  for await (const e of iter) {
    if (e.kind === 'batch') for (const r of batchToRows(e.batch)) out.push(`${String(r[0])}@${String(r[1])}`);
    else if (e.kind === 'watermark') out.push(`wm ${e.timestamp}`);
    else if (e.kind === 'idle') out.push(`idle ${e.idle}`);
    else if (e.kind === 'end') out.push('end');
    if (stop?.(e, out) === true) break;
  }
  return out;
}

describe('split assignment and positions', () => {
  it('gives every split to exactly one of the parallel readers, and ends bounded readers', async () => {
    const splits: MemSplit[] = [0, 1, 2, 3, 4].map((i) => ({
      splitId: `s${i}`,
      batches: [[i * 10, i * 10 + 1]],
    }));
    const src = memSource(() => splits, null);
    expect(src.bounded).toBe(true);
    const results = await Promise.all(
      [0, 1].map((i) => drain(src.createReader(i, 2).read(new AbortController().signal))),
    );
    expect(results[0]).toEqual(['s0@0', 's0@1', 's2@20', 's2@21', 's4@40', 's4@41', 'end']);
    expect(results[1]).toEqual(['s1@10', 's1@11', 's3@30', 's3@31', 'end']);
  });

  it('snapshots positions as bytes; a restored reader resumes each split there and skips finished ones', async () => {
    const splits: MemSplit[] = [
      { splitId: 's0', batches: [[1], [2], [3]], delayMs: 5 },
      { splitId: 's1', batches: [[10]] },
    ];
    const src = memSource(() => splits, null);
    const first = src.createReader(0, 1);
    const ac = new AbortController();
    const seen = await drain(
      first.read(ac.signal),
      (_e, all) => all.includes('s0@2') && all.includes('s1@10'),
    );
    expect(seen).toContain('s0@1');
    const bytes = first.snapshotState();
    expect(bytes).toBeInstanceOf(Uint8Array);
    const restored = src.createReader(0, 1);
    restored.restoreState(bytes);
    // s1 finished before the snapshot and s0 had read two batches: only s0's third remains.
    expect(await drain(restored.read(new AbortController().signal))).toEqual(['s0@3', 'end']);
  });

  it('discovers splits that appear later when continuous (and does not end)', async () => {
    const splits: MemSplit[] = [{ splitId: 's0', batches: [[1]], hold: true }];
    const src = memSource(() => splits, 20);
    expect(src.bounded).toBe(false);
    const ac = new AbortController();
    setTimeout(() => splits.push({ splitId: 's1', batches: [[2]], hold: true }), 30);
    const timeout = setTimeout(() => ac.abort(), 3000);
    const out = await drain(src.createReader(0, 1).read(ac.signal), (_e, all) => all.includes('s1@2'));
    clearTimeout(timeout);
    expect(out).toEqual(['s0@1', 's1@2']);
  });
});

describe('per-split watermarks', () => {
  it('emit the minimum over splits, only growing; a finished split leaves the minimum', async () => {
    const splits: MemSplit[] = [
      { splitId: 's0', batches: [[10_000], [20_000]], delayMs: 20 },
      { splitId: 's1', batches: [[5_000]], delayMs: 30 },
    ];
    const src = memSource(() => splits, null).withWatermarks(columnWatermarks(1, 1000));
    const out = await drain(src.createReader(0, 1).read(new AbortController().signal));
    // s0's 10 s alone cannot move it (s1 has no watermark yet); s1's 5 s gives 4 s; s1 finishes, so s0 alone.
    expect(out.filter((e) => e.startsWith('wm'))).toEqual(['wm 4000', 'wm 9000', 'wm 19000']);
    expect(out.indexOf('wm 4000')).toBeGreaterThan(out.indexOf('s1@5000'));
  });

  it('leave an idle split out after the idle timeout, and report idle when every split is', () => {
    let now = 0;
    const mux = new SplitWatermarkMultiplexer(columnWatermarks(1, 0, 100, 0), () => now);
    mux.addSplit('a');
    mux.addSplit('b');
    const b = (ts: number): ReturnType<RowBatchBuilder['build']> => {
      const bb = new RowBatchBuilder(schema);
      bb.append(['x', ts]);
      return bb.build();
    };
    const out: StreamElement[] = [];
    mux.onBatch('a', b(50) as NonNullable<ReturnType<typeof b>>);
    mux.poll(out);
    expect(out).toEqual([]); // b holds the minimum back
    mux.onBatch('b', b(30) as NonNullable<ReturnType<typeof b>>);
    mux.poll(out);
    expect(out.splice(0)).toEqual([{ kind: 'watermark', timestamp: 30 }]);
    now = 80;
    mux.onBatch('a', b(90) as NonNullable<ReturnType<typeof b>>);
    mux.poll(out);
    expect(out.splice(0)).toEqual([]);
    now = 120; // b silent for 120 ms > 100: idle, so a alone counts
    mux.poll(out);
    expect(out.splice(0)).toEqual([{ kind: 'watermark', timestamp: 90 }]);
    now = 200; // a silent for 120 ms too: the reader is idle
    mux.poll(out);
    expect(out.splice(0)).toEqual([{ kind: 'idle', idle: true }]);
    mux.onBatch('b', b(95) as NonNullable<ReturnType<typeof b>>);
    mux.poll(out);
    expect(out.splice(0)).toEqual([
      { kind: 'idle', idle: false },
      { kind: 'watermark', timestamp: 95 },
    ]);
  });

  it('with a periodic interval, generators are asked only when it has passed', () => {
    let now = 0;
    const mux = new SplitWatermarkMultiplexer(columnWatermarks(1, 0, null, 200), () => now);
    const bb = new RowBatchBuilder(schema);
    bb.append(['x', 70]);
    mux.onBatch('a', bb.build() as NonNullable<ReturnType<RowBatchBuilder['build']>>);
    const out: StreamElement[] = [];
    mux.poll(out);
    expect(out).toEqual([]);
    expect(mux.untilDue()).toBe(200);
    now = 200;
    mux.poll(out);
    expect(out).toEqual([{ kind: 'watermark', timestamp: 70 }]);
  });

  it('DataStream fromSource: per-split watermarks keep a split that is behind from being late (the minimum rule)', async () => {
    // Split s0 races ahead to 25 s; split s1, slower, still has rows at 3 s and 4 s. With one watermark over the
    // merged stream (the strategy after the source) s1's rows would come after watermark 24.999 s and be dropped
    // from window [0, 10 s); per split, the watermark waits for s1, so the window counts all four rows.
    const splits: MemSplit[] = [
      { splitId: 's0', batches: [[1000], [25_000]] },
      { splitId: 's1', batches: [[3000], [4000]], delayMs: 40 },
    ];
    const run = async (perSplit: boolean): Promise<unknown[]> => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment({ autoWatermarkInterval: 0 });
      const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts');
      const base = memSource(() => splits, null);
      // Without withWatermarks the environment applies the strategy after the source, over the merged stream.
      const src = perSplit
        ? base
        : { outputSchema: base.outputSchema, bounded: true, createReader: base.createReader.bind(base) };
      const counts = env
        .fromSource(src, strategy, 'mem')
        .keyBy(() => 'all')
        .window(TumblingEventTimeWindows.of(10_000))
        .count(Schema.of(['n', Types.INT()]));
      const rows: unknown[] = [];
      for await (const r of counts.executeAndCollect()) rows.push(r);
      return rows;
    };
    expect(await run(true)).toEqual([[3], [1]]);
    expect(await run(false)).toEqual([[1], [1]]);
  });
});
