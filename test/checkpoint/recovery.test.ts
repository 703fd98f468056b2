// Exactly-once through a failure, in the in-thread executor: a checkpointed job (generator source with
// checkpointed counters → keyed running sum with keyed state → a two-phase-commit sink) fails inside an
// operator, restarts from its latest checkpoint, and the committed output equals the failure-free run's, row for
// row. Also: savepoint → stop → resume, aligned barriers, and a job without checkpoints still fails as before.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Value } from '../../executor/batch/column.js';
import { StreamExecutionEnvironment, fixedDelayRestart } from '../../executor/datastream/environment.js';
import { GeneratorSource } from '../../executor/datastream/sources.js';
import { Schema, Types } from '../../executor/index.js';
import { TransactionalStore } from './transactional-store.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-recovery-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const schema = Schema.of(['k', Types.INT()], ['v', Types.BIGINT()]);
const N = 6000;

/** source (P=1, checkpointed counter) → keyBy(k) running sum (P=2, keyed state) → map (may throw) → sink. */
function pipeline(
  env: StreamExecutionEnvironment,
  store: TransactionalStore,
  failAt: { value: number | null },
  rowsPerSecond = 30_000,
): void {
  const src = GeneratorSource.ofRows(schema, (i) => [i % 7, i], { count: N, batchSize: 50, rowsPerSecond });
  env
    .fromSource(src, null, 'numbers')
    .setParallelism(1)
    .keyBy('k')
    .sum('v')
    .map((row: Value[]) => {
      // Fails once, the first time a running sum passes the threshold (the failure is part of the test's world).
      if (failAt.value !== null && Number(row[1]) > failAt.value) {
        failAt.value = null;
        throw new Error('injected failure');
      }
      return row;
    })
    .addSink((i) => store.writer(i), 'transactional sink');
}

async function run(opts: {
  failAt: number | null;
  checkpoints: boolean;
}): Promise<{ store: TransactionalStore; restarts: number }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
  if (opts.checkpoints) {
    env.enableCheckpointing(20).getCheckpointConfig().setCheckpointStorage(dir).setNumRetainedCheckpoints(2);
    env.setRestartStrategy(fixedDelayRestart(3, 10));
  }
  const store = new TransactionalStore();
  pipeline(env, store, { value: opts.failAt });
  const job = env.executeAsync('recovery');
  await job.getJobExecutionResult();
  return { store, restarts: job.restarts };
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('recovery from checkpoints (in-thread executor)', () => {
  it('a failure mid-job restarts from the latest checkpoint and the committed output is exactly the failure-free one', async () => {
    const clean = await run({ failAt: null, checkpoints: true });
    expect(clean.store.committed.length).toBe(N);
    expect(clean.restarts).toBe(0);
    // Sum of i over the key k=0 passes this about two thirds in: well after the first checkpoints.
    const failing = await run({ failAt: 1_500_000, checkpoints: true });
    expect(failing.restarts).toBe(1);
    // The failed attempt wrote rows it never committed: the store saw more rows than it shows.
    expect(failing.store.written).toBeGreaterThan(N);
    expect(sorted(failing.store.committed)).toEqual(sorted(clean.store.committed));
    // One folder per execution, named by its job id.
    expect((await fs.readdir(dir)).every((d) => /^[0-9a-f]{32}$/.test(d))).toBe(true);
  });

  it('without checkpoints a failure fails the job (no restart strategy applies)', async () => {
    await expect(run({ failAt: 1_500_000, checkpoints: false })).rejects.toThrow('injected failure');
  });

  it('savepoint, cancel, resume from the savepoint: the output equals the uninterrupted run', async () => {
    const expected = await run({ failAt: null, checkpoints: true });
    const store = new TransactionalStore();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.getCheckpointConfig().setCheckpointStorage(dir);
    env.enableCheckpointing(60_000); // periodic ones never happen in this test: only the savepoint
    pipeline(env, store, { value: null }, 5_000);
    const job = env.executeAsync('savepointed');
    while (store.written < N / 3) await new Promise((r) => setTimeout(r, 5));
    // Stop with savepoint: the sinks commit what they sealed for the savepoint before the job is cancelled.
    const savepointPath = await job.stopWithSavepoint();
    const committedAtStop = store.committed.length;
    expect(committedAtStop).toBeGreaterThan(0);
    expect(committedAtStop).toBeLessThan(N);
    // The resumed job commits the savepoint's transactions again on restore (idempotent: no duplicates), and
    // nothing written after the savepoint survives.
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env2.getCheckpointConfig().setCheckpointStorage(path.join(dir, 'second'));
    env2.setSavepointRestorePath(savepointPath);
    pipeline(env2, store, { value: null });
    await env2.executeAsync('savepointed').getJobExecutionResult();
    expect(sorted(store.committed)).toEqual(sorted(expected.store.committed));
  });

  it('rejects a savepoint that has state for an operator the job does not have', async () => {
    const store = new TransactionalStore();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.getCheckpointConfig().setCheckpointStorage(dir);
    env.enableCheckpointing(60_000);
    pipeline(env, store, { value: null }, 20_000);
    const job = env.executeAsync('first');
    while (store.written < 100) await new Promise((r) => setTimeout(r, 5));
    await job.checkpointCoordinator()!.trigger('savepoint');
    const savepointPath = job.checkpointCoordinator()!.statistics().latest.savepoint!.external_path!;
    await job.cancel();
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env2.setSavepointRestorePath(savepointPath);
    env2.getCheckpointConfig().setCheckpointStorage(dir);
    // A different job: no keyed sum, so the savepoint's keyed state has nowhere to go.
    env2
      .fromSource(
        GeneratorSource.ofRows(schema, (i) => [i % 7, i], { count: 10 }),
        null,
        'numbers',
      )
      .setParallelism(1)
      .addSink(() => store.writer(9));
    await expect(env2.executeAsync('second').getJobExecutionResult()).rejects.toThrow(
      /has state for operator '.*' \(uid [0-9a-f]{16}\) that this job does not contain; the job changed incompatibly/,
    );
  });
});
