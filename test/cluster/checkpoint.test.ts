// Checkpoints on the MiniCluster: the JobManager is the checkpoint coordinator (Flink's CheckpointCoordinator in
// the JobMaster; docs "Checkpointing" and "Task Failure Recovery"). A keyed running sum at parallelism 2 in two slot
// threads, checkpointed every 200 ms, fails at seeded points in its first ten attempts; each restart restores every
// subtask from the latest completed checkpoint, and the rows a two-phase-commit sink made visible equal the
// failure-free run's exactly (a lost state, a replay from the start or a double count changes them). Also:
// stop-with-savepoint then resume from it (docs "Savepoints"), the REST checkpoint statistics
// (/jobs/:jobid/checkpoints, /checkpoints/config, /checkpoints/details/:checkpointid), and a source that cannot
// checkpoint its position failing the job without restarts.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointDetails } from '../../executor/checkpoint/coordinator.js';
import { MiniCluster } from '../../executor/cluster/mini-cluster.js';
import type { JobCheckpointing, JobSpec } from '../../executor/cluster/protocol.js';
import { RestServer } from '../../executor/cluster/rest.js';
import { FileCheckpointStorage } from '../../executor/checkpoint/storage.js';
import { DEFAULT_EXECUTION_OPTIONS, LocalJob } from '../../executor/runtime/local-executor.js';
import { buildJobGraph, committedRows, type CheckpointJobPayload } from './checkpoint-fixtures.js';

const BUILDER = new URL('./checkpoint-fixtures.ts', import.meta.url).href;
const N = 6000;
/** Failures injected in the recovery test (the issue asks for at least 10 per run). */
const FAILURES = 10;

/** The running sums the job must commit: per key k = i mod 7, the sum of every i so far, once each. */
function expectedRows(): string[] {
  const sums = new Array<number>(7).fill(0);
  const rows: string[] = [];
  for (let i = 0; i < N; i++) {
    sums[i % 7] = (sums[i % 7] as number) + i;
    rows.push(`${i % 7},${sums[i % 7]}`);
  }
  return rows.sort();
}

/** Seeded failure points (a small LCG, so a failing run can be replayed): ascending running-sum thresholds. */
function seededThresholds(seed: number, n: number): number[] {
  let x = seed;
  const out: number[] = [];
  const max = (N * N) / 14; // about the largest running sum
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(Math.floor(max * (0.15 + 0.7 * (x / 2 ** 31))));
  }
  return out.sort((a, b) => a - b);
}

let root: string;
let cluster: MiniCluster;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-cluster-ckpt-'));
  cluster = await MiniCluster.start({
    'taskmanager.numberOfTaskSlots': '2',
    'heartbeat.interval': '200 ms',
    'heartbeat.timeout': '20 s',
    'slot.request.timeout': '20 s',
  });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await fs.rm(root, { recursive: true, force: true });
});

let runs = 0;
function job(
  opts: { failAt?: number[]; rowsPerSecond?: number; restorePath?: string | null; store?: string } = {},
): { spec: JobSpec; store: string; checkpoints: string } {
  runs++;
  const store = opts.store ?? path.join(root, `store-${runs}`);
  const checkpoints = path.join(root, `checkpoints-${runs}`);
  const payload: CheckpointJobPayload = {
    count: N,
    rowsPerSecond: opts.rowsPerSecond ?? 4000,
    parallelism: 2,
    failAt: opts.failAt ?? [],
    dir: store,
    run: `r${runs}`,
  };
  const checkpointing: JobCheckpointing = {
    config: { ...DEFAULT_CHECKPOINT_CONFIG, intervalMs: 200 },
    dir: checkpoints,
    numRetained: 2,
    restorePath: opts.restorePath ?? null,
    retention: 'NO_EXTERNALIZED_CHECKPOINTS',
  };
  return {
    spec: {
      name: 'checkpointed sums',
      builder: BUILDER,
      payload,
      checkpointing,
      restartStrategy: {
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '12',
        'restart-strategy.fixed-delay.delay': '100 ms',
      },
    },
    store,
    checkpoints,
  };
}

describe('checkpoints on the MiniCluster', () => {
  const expected = expectedRows();

  it('a failure-free checkpointed run commits every running sum once and reports its checkpoints', async () => {
    const { spec, store, checkpoints } = job();
    const jm = await cluster.submit(spec);
    const res = await jm.getJobExecutionResult();
    expect(res.restarts).toBe(0);
    expect(committedRows(store)).toEqual(expected);
    const stats = await cluster.checkpoints(jm.jobId);
    expect(stats).not.toBeNull();
    expect(stats?.counts.completed).toBeGreaterThan(0);
    const last = stats?.latest.completed;
    expect(last?.status).toBe('COMPLETED');
    expect(last?.num_acknowledged_subtasks).toBe(last?.num_subtasks);
    expect(last?.state_size).toBeGreaterThan(0);
    // The job finished: its checkpoints went with it (NO_EXTERNALIZED_CHECKPOINTS).
    expect(await fs.readdir(path.join(checkpoints, jm.jobId)).catch(() => [])).toEqual([]);
  }, 180_000);

  it('fails ten times at seeded points, restores every subtask from the latest checkpoint, and commits exactly the failure-free rows', async () => {
    const failAt = seededThresholds(20261124, FAILURES);
    const { spec, store } = job({ failAt });
    const jm = await cluster.submit(spec);
    const res = await jm.getJobExecutionResult();
    expect(res.restarts).toBe(FAILURES);
    // Both keyed subtasks may pass the threshold before the attempt is cancelled (their sums grow alike): the
    // exception history can hold an attempt twice, the restarts count each attempt once.
    expect(new Set(jm.exceptions.map((e) => e.stacktrace.split('\n')[0]))).toEqual(
      new Set(Array.from({ length: FAILURES }, (_, a) => `Error: injected failure (attempt ${a})`)),
    );
    // No loss, no duplicate: a restart from scratch would commit the first attempts' rows twice, a lost keyed
    // state would commit different sums.
    expect(committedRows(store)).toEqual(expected);
    const stats = await cluster.checkpoints(jm.jobId);
    // Each restart restored from a completed checkpoint (Flink counts restores in the same statistics).
    expect(stats?.counts.restored).toBe(FAILURES);
    expect(stats?.latest.restored?.id).toBeGreaterThan(0);
    // The statistics survive the restarts: ids keep increasing across attempts.
    const ids = (stats?.history ?? []).map((h) => h.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  }, 240_000);

  it('a slot thread that dies mid-job is replaced and the job resumes from the latest checkpoint, committing the same rows', async () => {
    const [exitAt] = seededThresholds(7, 1);
    const { spec, store } = job({});
    const jm = await cluster.submit({
      ...spec,
      payload: { ...(spec.payload as CheckpointJobPayload), exitAt },
    });
    const res = await jm.getJobExecutionResult();
    expect(res.restarts).toBeGreaterThanOrEqual(1);
    expect(jm.exceptions[0]?.exceptionName).toBe('SlotLostException');
    expect(committedRows(store)).toEqual(expected);
    expect(jm.checkpointStatistics()?.counts.restored).toBe(res.restarts);
  }, 240_000);

  it('stop-with-savepoint, then a new job resumes from the savepoint: the committed rows are the uninterrupted run', async () => {
    const first = job({ rowsPerSecond: 1500 });
    const jm1 = await cluster.submit(first.spec);
    // Let it run past a few checkpoints, then stop it with a savepoint into its own folder.
    await new Promise((r) => setTimeout(r, 1500));
    while (jm1.checkpointStatistics()?.counts.completed === 0) await new Promise((r) => setTimeout(r, 100));
    const target = path.join(root, 'savepoints');
    const stop = await cluster.stop(jm1.jobId, { savepoint: target });
    expect(stop.savepoint).toMatch(/savepoint-\d+$/);
    expect(jm1.state).toBe('CANCELED');
    const partial = committedRows(first.store).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(N);
    // The savepoint is self-contained and stays when the job's checkpoints are removed.
    expect(await fs.readdir(stop.savepoint as string)).toContain('_metadata');

    const second = job({ restorePath: stop.savepoint, store: first.store });
    const jm2 = await cluster.submit(second.spec);
    await jm2.getJobExecutionResult();
    expect(committedRows(first.store)).toEqual(expected);
    expect(jm2.checkpointStatistics()?.latest.restored?.external_path).toBe(stop.savepoint);
  }, 240_000);

  it('a savepoint taken at parallelism 2 resumes at parallelism 1: keyed state is redistributed by key group', async () => {
    const first = job({ rowsPerSecond: 1500 });
    const jm1 = await cluster.submit(first.spec);
    while ((jm1.checkpointStatistics()?.counts.completed ?? 0) < 2)
      await new Promise((r) => setTimeout(r, 100));
    const stop = await cluster.stop(jm1.jobId, { savepoint: path.join(root, 'savepoints-rescale') });
    expect(committedRows(first.store).length).toBeLessThan(N);
    const second = job({ restorePath: stop.savepoint, store: first.store });
    const payload = { ...(second.spec.payload as CheckpointJobPayload), parallelism: 1 };
    const jm2 = await cluster.submit({ ...second.spec, payload });
    await jm2.getJobExecutionResult();
    expect(jm2.parallelism).toBe(1);
    // Both old subtasks' key groups (and their sinks' pending transactions) landed in the one new subtask.
    expect(committedRows(first.store)).toEqual(expected);
  }, 240_000);

  it('a savepoint of the in-thread executor (LocalJob) resumes on the cluster: one state format for both', async () => {
    const first = job({ rowsPerSecond: 1500 });
    const graph = buildJobGraph(first.spec.payload, { resultSink: null, attempt: 0 });
    const local = new LocalJob(
      graph,
      { ...DEFAULT_EXECUTION_OPTIONS, bufferTimeout: 0 },
      {
        config: { ...DEFAULT_CHECKPOINT_CONFIG, intervalMs: 200 },
        storage: new FileCheckpointStorage(path.join(first.checkpoints, 'local')),
        restorePath: null,
        restartStrategy: { nextDelay: () => null },
      },
    );
    while ((local.checkpointCoordinator()?.statistics().counts.completed ?? 0) < 2)
      await new Promise((r) => setTimeout(r, 100));
    const savepoint = await local.stopWithSavepoint(path.join(root, 'savepoints-local'));
    expect(committedRows(first.store).length).toBeLessThan(N);
    const second = job({ restorePath: savepoint, store: first.store });
    const jm = await cluster.submit(second.spec);
    await jm.getJobExecutionResult();
    expect(jm.checkpointStatistics()?.latest.restored?.external_path).toBe(savepoint);
    expect(committedRows(first.store)).toEqual(expected);
  }, 240_000);

  it('serves the statistics, the configuration and a checkpoint’s details over REST', async () => {
    const { spec } = job({ rowsPerSecond: 2000 });
    const jm = await cluster.submit(spec);
    const server = await RestServer.start(cluster, { port: 0, dashboardDir: null });
    try {
      while ((jm.checkpointStatistics()?.counts.completed ?? 0) < 2)
        await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${server.url}v1/jobs/${jm.jobId}/checkpoints`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        counts: { completed: number };
        latest: {
          completed: {
            id: number;
            end_to_end_duration: number;
            state_size: number;
            alignment_duration: number;
          };
        };
        history: unknown[];
      };
      expect(body.counts.completed).toBeGreaterThanOrEqual(2);
      expect(body.history.length).toBeGreaterThan(0);
      expect(body.latest.completed.state_size).toBeGreaterThan(0);
      expect(body.latest.completed.end_to_end_duration).toBeGreaterThanOrEqual(0);
      expect(body.latest.completed.alignment_duration).toBeGreaterThanOrEqual(0);
      // Flink's CheckpointConfigHandler: the job's own settings, from its JobManager.
      const config = await fetch(`${server.url}v1/jobs/${jm.jobId}/checkpoints/config`);
      expect(config.status).toBe(200);
      expect(await config.json()).toMatchObject({
        mode: 'exactly_once',
        interval: 200,
        max_concurrent: 1,
        externalization: { enabled: false, delete_on_cancellation: false },
      });
      // Flink's CheckpointStatisticDetailsHandler: the checkpoint with its tasks by vertex id.
      const res2 = await fetch(
        `${server.url}v1/jobs/${jm.jobId}/checkpoints/details/${body.latest.completed.id}`,
      );
      expect(res2.status).toBe(200);
      const details = (await res2.json()) as CheckpointDetails;
      expect(details.status).toBe('COMPLETED');
      // Every vertex of the job acknowledged with all its subtasks.
      expect(Object.keys(details.tasks).sort()).toEqual(jm.graph.vertices.map((v) => String(v.id)).sort());
      const tasks = Object.values(details.tasks);
      for (const t of tasks) expect(t.num_acknowledged_subtasks).toBe(t.num_subtasks);
      expect((await fetch(`${server.url}v1/jobs/${jm.jobId}/checkpoints/details/99999`)).status).toBe(404);
    } finally {
      await server.close();
      await jm.cancel();
    }
  }, 180_000);

  it('a source that cannot checkpoint its position fails the job at once, naming the source, without restarts', async () => {
    const { spec } = job();
    const jm = await cluster.submit({
      ...spec,
      payload: { ...(spec.payload as CheckpointJobPayload), positionless: true },
    });
    await expect(jm.getJobExecutionResult()).rejects.toThrow(
      /source 'numbers' cannot checkpoint its read position/,
    );
    expect(jm.restarts).toBe(0);
    expect(jm.state).toBe('FAILED');
  }, 180_000);
});
