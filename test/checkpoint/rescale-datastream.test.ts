// Savepoint at parallelism 2, resume at 1, 3 and 4 (Flink's rescaling on restore): a keyed running sum (keyed
// state moved by key group) and an event-time tumbling window count (window contents and event-time timers moved
// by key group) run behind a checkpointed source at parallelism 1 and in front of a two-phase-commit sink whose
// pending transactions are list state; the committed output of run-stop-resume equals the uninterrupted run, row
// for row, whatever the parallelism of the resumed job.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchToRows, type RecordBatch } from '../../executor/batch/batch.js';
import type { Value } from '../../executor/batch/column.js';
import { StreamExecutionEnvironment } from '../../executor/datastream/environment.js';
import { GeneratorSource } from '../../executor/datastream/sources.js';
import type { SinkWriter } from '../../executor/runtime/operator.js';
import { Schema, TumblingEventTimeWindows, Types, WatermarkStrategy } from '../../executor/index.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-rescale-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Writers stage rows per transaction; `commit` makes a sealed one visible once (idempotent), as Kafka would. */
class TransactionalStore {
  readonly committed: string[] = [];
  private readonly staged = new Map<string, string[]>();
  private readonly done = new Set<string>();
  private seq = 0;
  written = 0;

  writer(subtask: number): SinkWriter {
    let txn = `${subtask}-${this.seq++}`;
    let rows: string[] = [];
    const seal = (): string | null => {
      if (rows.length === 0) return null;
      this.staged.set(txn, rows);
      const sealed = txn;
      txn = `${subtask}-${this.seq++}`;
      rows = [];
      return sealed;
    };
    return {
      write: (b: RecordBatch) => {
        for (const r of batchToRows(b)) rows.push(r.map(String).join(','));
        this.written += b.length;
      },
      prepareCommit: () => {
        const id = seal();
        return id === null ? null : new TextEncoder().encode(id);
      },
      commit: async (committables) => {
        for (const c of committables) this.commitTxn(new TextDecoder().decode(c));
      },
      finish: () => {
        const id = seal();
        if (id !== null) this.commitTxn(id);
      },
      close: async () => {},
    };
  }

  private commitTxn(id: string): void {
    if (this.done.has(id)) return;
    const rows = this.staged.get(id);
    if (rows === undefined) throw new Error(`unknown transaction ${id}`);
    this.done.add(id);
    this.committed.push(...rows);
  }
}

const schema = Schema.of(['k', Types.INT()], ['v', Types.BIGINT()]);
const N = 6000;

/** source (P=1, checkpointed) → keyBy(k) running sum (keyed state, job parallelism) → two-phase sink. */
function runningSum(env: StreamExecutionEnvironment, store: TransactionalStore, rowsPerSecond: number): void {
  env
    .fromSource(
      GeneratorSource.ofRows(schema, (i) => [i % 37, i], { count: N, batchSize: 50, rowsPerSecond }),
      null,
      'numbers',
    )
    .setParallelism(1)
    .uid('numbers')
    .keyBy('k')
    .sum('v')
    .uid('sum')
    .addSink((i) => store.writer(i), 'transactional sink')
    .uid('sink');
}

/** source (P=1) → event time → keyBy(k) 1 s tumbling windows counting rows (window state and timers) → sink. */
const eventSchema = Schema.of(['k', Types.INT()], ['v', Types.BIGINT()], ['ts', Types.DOUBLE()]);
function windowCounts(
  env: StreamExecutionEnvironment,
  store: TransactionalStore,
  rowsPerSecond: number,
): void {
  env
    .fromSource(
      GeneratorSource.ofRows(eventSchema, (i) => [i % 11, i, i * 7], {
        count: N,
        batchSize: 50,
        rowsPerSecond,
      }),
      null,
      'events',
    )
    .setParallelism(1)
    .uid('events')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('ts'))
    .uid('timestamps')
    .keyBy('k')
    .window(TumblingEventTimeWindows.of(1000))
    .count(Schema.of(['k', Types.INT()], ['start', Types.DOUBLE()], ['n', Types.INT()]), {
      process(key, ctx, els, out) {
        out.collect([key as number, ctx.window().start, els[0]?.[0] as number]);
      },
    })
    .uid('windows')
    .addSink((i) => store.writer(i), 'transactional sink')
    .uid('sink');
}

type Pipeline = (env: StreamExecutionEnvironment, store: TransactionalStore, rowsPerSecond: number) => void;

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

async function uninterrupted(pipeline: Pipeline = runningSum): Promise<string[]> {
  const store = new TransactionalStore();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
  env.enableCheckpointing(50).getCheckpointConfig().setCheckpointStorage(path.join(dir, 'clean'));
  pipeline(env, store, 200_000);
  await env.executeAsync('clean').getJobExecutionResult();
  return sorted(store.committed);
}

/** Runs at P=2 until a third is written, stops with a savepoint, resumes at `to`. */
async function rescaled(
  to: number,
  pipeline: Pipeline = runningSum,
  waitFor = N / 3,
): Promise<{ committed: string[]; committedAtStop: number }> {
  const store = new TransactionalStore();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
  env
    .enableCheckpointing(60_000)
    .getCheckpointConfig()
    .setCheckpointStorage(path.join(dir, `first-${to}`));
  pipeline(env, store, 6_000);
  const job = env.executeAsync('rescaled');
  while (store.written < waitFor) await new Promise((r) => setTimeout(r, 5));
  const savepoint = await job.stopWithSavepoint();
  const committedAtStop = store.committed.length;
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: to });
  env2
    .enableCheckpointing(60_000)
    .getCheckpointConfig()
    .setCheckpointStorage(path.join(dir, `second-${to}`));
  env2.setSavepointRestorePath(savepoint);
  pipeline(env2, store, 200_000);
  await env2.executeAsync('rescaled').getJobExecutionResult();
  return { committed: sorted(store.committed), committedAtStop };
}

describe('rescaling a DataStream job on restore', () => {
  it.each([1, 3, 4])(
    'savepoint at parallelism 2, resume at %i: the output equals the uninterrupted run',
    async (to) => {
      const expected = await uninterrupted();
      expect(expected).toHaveLength(N);
      const { committed, committedAtStop } = await rescaled(to);
      // The savepoint fell in the middle: part of the output came from the first run, the rest after the restore.
      expect(committedAtStop).toBeGreaterThan(0);
      expect(committedAtStop).toBeLessThan(N);
      expect(committed).toEqual(expected);
    },
  );

  it.each([1, 3, 4])(
    'event-time windows: savepoint at parallelism 2, resume at %i: the output equals the uninterrupted run',
    async (to) => {
      const expected = await uninterrupted(windowCounts);
      // 6000 rows 7 ms apart: 42 one-second windows, each split over the 11 keys.
      expect(expected.length).toBeGreaterThan(400);
      const { committed, committedAtStop } = await rescaled(to, windowCounts, 60);
      expect(committedAtStop).toBeGreaterThan(0);
      expect(committedAtStop).toBeLessThan(expected.length);
      expect(committed).toEqual(expected);
    },
  );

  it('restoring a parallel source whose position is not a set of splits at another parallelism fails, naming it', async () => {
    // The generator's position at parallelism 2 is not a set of splits: restoring the source at 3 must fail
    // with a message naming it, never start it from the beginning.
    const store = new TransactionalStore();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(path.join(dir, 'src'));
    const pipeline = (e: StreamExecutionEnvironment, rate: number): void => {
      e.fromSource(
        GeneratorSource.ofRows(schema, (i) => [i % 5, i], { count: N, batchSize: 50, rowsPerSecond: rate }),
        null,
        'parallel numbers',
      )
        .uid('numbers')
        .map((r: Value[]) => r)
        .addSink((i) => store.writer(i), 'sink')
        .uid('sink');
    };
    pipeline(env, 4_000);
    const job = env.executeAsync('parallel source');
    while (store.written < 200) await new Promise((r) => setTimeout(r, 5));
    const savepoint = await job.stopWithSavepoint();
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    env2.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(path.join(dir, 'src2'));
    env2.setSavepointRestorePath(savepoint);
    pipeline(env2, 200_000);
    await expect(env2.executeAsync('parallel source').getJobExecutionResult()).rejects.toThrow(
      /source 'parallel numbers.*' cannot be restored at parallelism 3 from a checkpoint taken at parallelism 2/,
    );
  });
});
