// The final checkpoint before tasks finish (Flink's FLIP-147, execution.checkpointing.checkpoints-after-tasks-finish,
// default true since Flink 1.15): a two-phase sink whose input ended commits its last transaction only when a
// checkpoint taken after its end completed, and its task finishes after that. A failure between the end of the
// input and the end of the job then replays nothing twice. Flink: docs "Checkpointing" → "Checkpointing with parts
// of the graph finished"; StreamTask waits for the final checkpoint after endData; SinkWriterOperator/CommitterOperator
// commit the end-of-input committables on notifyCheckpointComplete.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment, fixedDelayRestart } from '../../executor/datastream/environment.js';
import { GeneratorSource } from '../../executor/datastream/sources.js';
import type { LocalJob } from '../../executor/runtime/local-executor.js';
import { Schema, Types } from '../../executor/index.js';
import { TransactionalStore } from './transactional-store.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-final-cp-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const schema = Schema.of(['k', Types.INT()], ['v', Types.BIGINT()]);
const N = 2000;
const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const expected = sorted(Array.from({ length: N }, (_, i) => `${i % 7},${i}`));

/**
 * Two independent pipelines in one job: numbers (P=1, N rows, fast) → rebalance → two-phase sink (P=2), and a
 * slower side pipeline whose map throws once, when `failWhen` holds: after the sink's input ended, before the job
 * finished (the side pipeline still runs).
 */
function build(
  store: TransactionalStore,
  opts: {
    intervalMs: number;
    afterTasksFinish: boolean;
    failWhen: (() => boolean) | null;
    /** Failures injected at most (default 1); the side pipeline's rows (default 300, at 300 a second). */
    failures?: number;
    sideRows?: number;
  },
): { env: StreamExecutionEnvironment; failed: { at: number | null; count: number } } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
  env
    .enableCheckpointing(opts.intervalMs)
    .getCheckpointConfig()
    .setCheckpointStorage(dir)
    .setNumRetainedCheckpoints(2);
  const cc = env.getCheckpointConfig();
  cc.config = { ...cc.config, checkpointsAfterTasksFinish: opts.afterTasksFinish };
  env.setRestartStrategy(fixedDelayRestart(2, 10));
  const failed: { at: number | null; count: number } = { at: null, count: 0 };
  env
    .fromSource(
      GeneratorSource.ofRows(schema, (i) => [i % 7, i], { count: N, batchSize: 50, rowsPerSecond: 8000 }),
      null,
      'numbers',
    )
    .setParallelism(1)
    .rebalance()
    .addSink((i) => store.writer(i), 'transactional sink')
    .setParallelism(2);
  env
    .fromSource(
      GeneratorSource.ofRows(schema, (i) => [0, i], {
        count: opts.sideRows ?? 300,
        batchSize: 1,
        rowsPerSecond: 300,
      }),
      null,
      'side',
    )
    .setParallelism(1)
    .map((row) => {
      if (failed.count < (opts.failures ?? 1) && opts.failWhen?.() === true) {
        failed.at = Date.now();
        failed.count++;
        throw new Error('injected failure after the end of input');
      }
      return row;
    })
    .setParallelism(1)
    .addSink(() => ({ write: () => {}, finish: () => {}, close: async () => {} }), 'discard')
    .setParallelism(1);
  return { env, failed };
}

/** Runs the job; `midRun` takes one checkpoint by hand after a third of the rows (periodic ones are far apart). */
async function run(
  store: TransactionalStore,
  opts: { intervalMs: number; afterTasksFinish: boolean; failWhen: (() => boolean) | null; midRun: boolean },
): Promise<{ job: LocalJob; failedAt: number | null; ms: number }> {
  const { env, failed } = build(store, opts);
  const t0 = Date.now();
  const job = env.executeAsync('final-checkpoint') as LocalJob;
  if (opts.midRun) {
    while (store.written < N / 3) await new Promise((r) => setTimeout(r, 2));
    await job.checkpointCoordinator()!.trigger();
  }
  await job.getJobExecutionResult();
  return { job, failedAt: failed.at, ms: Date.now() - t0 };
}

describe('final checkpoint before tasks finish (FLIP-147)', () => {
  it('a failure after the end of input but before the job finished commits nothing twice', async () => {
    const store = new TransactionalStore();
    // Fails as soon as a sink subtask saw its end of input: before its final checkpoint completed, mostly.
    let beforeFinalCommit = false;
    const failWhen = (): boolean =>
      (beforeFinalCommit = store.inputEnded && !store.finished) || store.finished;
    const r = await run(store, { intervalMs: 60_000, afterTasksFinish: true, failWhen, midRun: true });
    expect(r.failedAt).not.toBeNull();
    expect(r.job.restarts).toBe(1);
    // The tail after the mid-run checkpoint was written twice (once by each attempt) but committed once.
    expect(store.written).toBeGreaterThan(N);
    expect(store.committedByFinish).toBe(0);
    expect(sorted(store.committed)).toEqual(expected);
    // The side pipeline checks every ~3 ms, sooner than the final checkpoint is written and committed.
    expect(beforeFinalCommit).toBe(true);
  });

  it('a failure after the final checkpoint committed restores it: the tail is not replayed', async () => {
    const store = new TransactionalStore();
    // `finished`: a sink writer finished, i.e. its final checkpoint completed and its last transaction committed.
    const r = await run(store, {
      intervalMs: 60_000,
      afterTasksFinish: true,
      failWhen: () => store.finished,
      midRun: true,
    });
    expect(r.failedAt).not.toBeNull();
    expect(r.job.restarts).toBe(1);
    // The restart began from the final checkpoint: the numbers source at its end, nothing written again.
    expect(store.written).toBe(N);
    expect(sorted(store.committed)).toEqual(expected);
  });

  it('tasks restored as finished stay finished: a further checkpoint and failure replay nothing', async () => {
    const store = new TransactionalStore();
    const gate = { fail: false };
    const failWhen = (): boolean => {
      const f = gate.fail;
      gate.fail = false;
      return f;
    };
    const { env } = build(store, {
      intervalMs: 60_000,
      afterTasksFinish: true,
      failWhen,
      failures: 2,
      sideRows: 1500,
    });
    const job = env.executeAsync('final-checkpoint') as LocalJob;
    const until = async (p: () => boolean): Promise<void> => {
      while (!p()) await new Promise((r) => setTimeout(r, 5));
    };
    /** A checkpoint of the current attempt (a restarting job has no coordinator to take it for a moment). */
    const checkpoint = async (): Promise<void> => {
      for (;;) {
        const ok = await job
          .checkpointCoordinator()!
          .trigger()
          .then(
            () => true,
            () => false,
          );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // The numbers pipeline finished (its final checkpoint committed); a checkpoint now holds its finished markers.
    await until(() => store.finished && job.subtasks.filter((t) => t.state === 'finished').length >= 3);
    await checkpoint();
    gate.fail = true;
    await until(() => job.restarts === 1);
    // Attempt 2 restored those subtasks as finished; its checkpoint must keep them finished (not a source at 0).
    await checkpoint();
    gate.fail = true;
    await until(() => job.restarts === 2);
    await job.getJobExecutionResult();
    expect(store.written).toBe(N);
    expect(sorted(store.committed)).toEqual(expected);
  });

  it("with 'checkpoints-after-tasks-finish' false the sink commits at its end of input (the old behaviour: duplicates after such a failure)", async () => {
    const store = new TransactionalStore();
    const r = await run(store, {
      intervalMs: 60_000,
      afterTasksFinish: false,
      failWhen: () => store.finished,
      midRun: true,
    });
    expect(r.failedAt).not.toBeNull();
    expect(r.job.restarts).toBe(1);
    // The end-of-input commit happened before the failure; the restart replayed the tail from the mid-run
    // checkpoint and committed it again.
    expect(store.committedByFinish).toBeGreaterThan(0);
    expect(store.committed.length).toBeGreaterThan(N);
    expect(new Set(store.committed).size).toBe(N);
  });

  it('a bounded job with a long checkpoint interval ends promptly: the final checkpoint has its own trigger', async () => {
    const store = new TransactionalStore();
    const r = await run(store, { intervalMs: 60_000, afterTasksFinish: true, failWhen: null, midRun: false });
    // The side pipeline alone takes ~1 s; the 60 s interval is never waited for.
    expect(r.ms).toBeLessThan(15_000);
    expect(r.job.restarts).toBe(0);
    expect(store.committedByFinish).toBe(0);
    expect(sorted(store.committed)).toEqual(expected);
    const stats = r.job.checkpointCoordinator()!.statistics();
    // Final checkpoints only (no periodic one fell due): at least one completed, none failed.
    expect(stats.counts.completed).toBeGreaterThanOrEqual(1);
    expect(stats.counts.failed).toBe(0);
  });
});
