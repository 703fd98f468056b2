// Checkpoints on the standalone cluster, and the SIGKILL fault-injection proof. The JobManager process coordinates
// the checkpoints exactly as in the MiniCluster (Flink's CheckpointCoordinator in the JobMaster, docs
// "Checkpointing"): trigger-checkpoint messages cross TCP to the TaskManager processes' slots, the acks carry the
// state bytes back, the JobManager writes the checkpoint and restores from it when a TaskManager is lost (docs
// "Task Failure Recovery": the heartbeat of the lost TaskManager times out, HeartbeatManagerImpl's
// "The heartbeat of TaskManager with id ... timed out", and the restart strategy restarts the job from the latest
// completed checkpoint).
//
// The job: a generator with a checkpointed position (P=1) -> keyBy -> running sum in keyed state (P=2) -> a
// two-phase-commit file sink (checkpoint-fixtures.ts: staged on the barrier, renamed into committed/ when the
// checkpoint completes, Flink's TwoPhaseCommitSinkFunction contract). Two TaskManager processes run it, a third is
// the spare; at seeded random points a TaskManager running the job gets SIGKILL and a replacement process starts.
// The committed rows must equal the failure-free run's row for row: a replay from the start commits rows twice, a
// lost keyed state commits different sums, a lost transaction drops rows.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CHECKPOINT_CONFIG,
  type CheckpointingStatistics,
} from '../../executor/checkpoint/coordinator.js';
import { RestClusterClient } from '../../executor/cluster/client.js';
import type { JobCheckpointing, JobSpec } from '../../executor/cluster/protocol.js';
import { TableEnvironment } from '../../index.js';
import { committedRows, type CheckpointJobPayload } from './checkpoint-fixtures.js';
import {
  distBuilt,
  getJson,
  startKillCluster,
  startTaskManager,
  stopAll,
  until,
  type JobManagerProc,
  type TaskManagerProc,
} from './standalone-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Rows of the killed job: 24 000 at 800/s is a 30 s failure-free run, room for three kills and their restores. */
const N = 24_000;
const RATE = 800;
const KILLS = 4;
const SEED = 20261125;

/** The running sums a failure-free run commits: per key k = i mod 7, the sum of every i so far, once each. */
function expectedRows(n = N): string[] {
  const sums = new Array<number>(7).fill(0);
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    sums[i % 7] = (sums[i % 7] as number) + i;
    rows.push(`${i % 7},${sums[i % 7]}`);
  }
  return rows.sort();
}

/** A small LCG (as checkpoint.test.ts), so a failing run can be replayed with its seed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/**
 * The TaskManager processes run the compiled package (dist/), which has no test fixtures: the fixture module is
 * transpiled here into a temporary .mjs whose imports name dist's modules, the same module instances the slots
 * load. Outside the checkout, so the cluster takes its URL as it is (tcp-transport.ts portableModuleUrl).
 */
async function compiledFixture(dir: string): Promise<string> {
  const src = await fs.readFile(path.join(import.meta.dirname, 'checkpoint-fixtures.ts'), 'utf8');
  const js = ts
    .transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    .outputText.replaceAll(
      "from '../../executor/",
      `from '${pathToFileURL(path.join(ROOT, 'dist/executor')).href}/`,
    );
  const file = path.join(dir, 'checkpoint-fixtures.mjs');
  await fs.writeFile(file, js);
  return pathToFileURL(file).href;
}

type JobDetail = {
  state: string;
  restarts: number;
  vertices: { id: string; name: string; parallelism: number }[];
};
type Subtasks = { subtasks: { status: string; 'taskmanager-id': string }[] };
type Exceptions = {
  exceptionHistory: {
    entries: { exceptionName: string; stacktrace: string; taskManagerId: string | null }[];
  };
};

describe.skipIf(!distBuilt())('standalone cluster: checkpoints and TaskManagers killed with SIGKILL', () => {
  let jm: JobManagerProc;
  let tms: TaskManagerProc[];
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-standalone-ckpt-'));
    ({ jm, tms } = await startKillCluster(path.join(root, 'jm-checkpoints')));
  }, 240_000);

  afterAll(async () => {
    await stopAll();
    await fs.rm(root, { recursive: true, force: true });
  }, 30_000);

  const rest = (): RestClusterClient => new RestClusterClient(jm.rest);

  /** The fixture job: keyed running sums at P=2 into the two-phase-commit file sink, checkpointed every 400 ms. */
  async function fixtureSpec(
    p: Pick<CheckpointJobPayload, 'count' | 'rowsPerSecond' | 'dir' | 'run'>,
    restorePath: string | null,
  ): Promise<JobSpec> {
    const payload: CheckpointJobPayload = { ...p, parallelism: 2, failAt: [] };
    const checkpointing: JobCheckpointing = {
      config: { ...DEFAULT_CHECKPOINT_CONFIG, intervalMs: 400 },
      dir: path.join(root, 'checkpoints'),
      numRetained: 2,
      restorePath,
      retention: 'NO_EXTERNALIZED_CHECKPOINTS',
    };
    return {
      name: `checkpointed sums (${p.run})`,
      builder: await compiledFixture(root),
      payload,
      checkpointing,
      restartStrategy: {
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '20',
        'restart-strategy.fixed-delay.delay': '200 ms',
      },
    };
  }

  it('checkpointed SQL with --cluster: the JobManager process checkpoints it and the result equals the local run', async () => {
    const bids = `CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3)) WITH (
      'connector' = 'nexmark', 'table' = 'bid', 'events.num' = '4000', 'first-event.rate' = '1000',
      'next-event.rate' = '1000', 'base-time' = '1700000000000', 'max-emit-speed' = 'false')`;
    const query =
      'SELECT auction % 10 AS a, COUNT(*) AS n, SUM(price) AS total FROM bid GROUP BY auction % 10';
    const local = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'local' } });
    await local.executeSql(bids).await();
    const want = (await local.executeSql(query).materialize()).map((r) => r.map(String).join(',')).sort();

    const env = TableEnvironment.create({
      cluster: jm.restAddress,
      parallelism: 2,
      config: {
        'execution.checkpointing.interval': '300 ms',
        // Kept after the end, to see where the JobManager process wrote them.
        'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
      },
    });
    await env.executeSql(bids).await();
    const result = env.executeSql(query);
    const rows = (await result.materialize()).map((r) => r.map(String).join(',')).sort();
    expect(rows).toEqual(want);
    const stats = (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${result.jobId}/checkpoints`))
      .body;
    expect(stats.counts.completed).toBeGreaterThan(0);
    expect(stats.latest.completed?.num_acknowledged_subtasks).toBe(stats.latest.completed?.num_subtasks);
    // The session named no folder: the JobManager's -D execution.checkpointing.dir holds the job's checkpoints.
    const where = stats.latest.completed?.external_path ?? '';
    expect(where.startsWith(path.join(root, 'jm-checkpoints', result.jobId as string))).toBe(true);
    expect(await fs.readdir(where)).toContain('_metadata');
    const config = await getJson<{ interval: number }>(
      `${jm.rest}v1/jobs/${result.jobId}/checkpoints/config`,
    );
    expect(config.status).toBe(200);
    expect(config.body.interval).toBe(300);
  }, 180_000);

  it(`survives ${KILLS} TaskManagers killed with SIGKILL at seeded points and commits exactly the failure-free rows`, async () => {
    const started = Date.now();
    const store = path.join(root, 'store');
    const spec = await fixtureSpec({ count: N, rowsPerSecond: RATE, dir: store, run: 'k' }, null);
    // Submitted as the CLI's client does (POST /v1/jobs with the CSRF header), without a result to stream back.
    const jid = (await rest().submitJob({ spec, collect: false })).jobid;
    const job = async (): Promise<JobDetail> => (await getJson<JobDetail>(`${jm.rest}v1/jobs/${jid}`)).body;
    const completed = async (): Promise<number> =>
      (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${jid}/checkpoints`)).body.counts.completed;

    const random = rng(SEED);
    const victims: TaskManagerProc[] = [];
    let restarts = 0;
    for (let k = 0; k < KILLS; k++) {
      // Every subtask of the current attempt runs, and a checkpoint completed since the last restore (so the job
      // makes progress between kills); the TaskManagers hosting it are the candidates.
      const before = await completed();
      const hosts = await until(
        `attempt ${k}: all subtasks running and a new completed checkpoint`,
        async () => {
          const d = await job();
          if (d.state !== 'RUNNING' || d.restarts !== restarts) return null;
          if ((await completed()) <= before && k > 0) return null;
          const ids = new Set<string>();
          for (const v of d.vertices) {
            const s = (await getJson<Subtasks>(`${jm.rest}v1/jobs/${jid}/vertices/${v.id}`)).body.subtasks;
            if (s.some((x) => x.status !== 'RUNNING')) return null;
            for (const x of s) ids.add(x['taskmanager-id']);
          }
          const running = tms.filter((t) => ids.has(t.id));
          return running.length > 0 ? running : null;
        },
        60_000,
      );
      if (k === 0) await until('a first completed checkpoint', async () => (await completed()) > 0, 30_000);
      // A seeded point: 0-1.5 s into the running attempt, and a seeded choice among the TaskManagers running it.
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      const victim = hosts[Math.floor(random() * hosts.length)] as TaskManagerProc;
      victim.child.kill('SIGKILL');
      victims.push(victim);
      tms = tms.filter((t) => t !== victim);
      // A replacement process registers (the spare takes the lost slot first; this one is the next spare).
      tms.push(await startTaskManager(jm, 1));
      restarts = await until(`restart after kill ${k}`, async () => {
        const d = await job();
        return d.restarts > restarts ? d.restarts : null;
      });
    }

    const end = await until(
      'the job to finish',
      async () => {
        const d = await job();
        return d.state === 'FINISHED' || d.state === 'FAILED' ? d : null;
      },
      120_000,
    );
    expect(end.state).toBe('FINISHED');
    // Each kill restarted the job at least once (a kill can also fail a deploy still in flight: more restarts).
    expect(end.restarts).toBeGreaterThanOrEqual(KILLS);

    // Exactly once: the committed rows are the failure-free run's, row for row.
    const rows = committedRows(store);
    expect(rows.length).toBe(N);
    expect(rows).toEqual(expectedRows());

    // REST: every lost TaskManager is in the exception history as Flink names it; the restores are counted.
    const ex = (await getJson<Exceptions>(`${jm.rest}v1/jobs/${jid}/exceptions`)).body;
    for (const v of victims)
      expect(
        ex.exceptionHistory.entries.some(
          (e) =>
            e.exceptionName === 'TimeoutException' &&
            e.stacktrace.includes(`The heartbeat of TaskManager with id ${v.id} timed out`),
        ),
      ).toBe(true);
    const stats = (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${jid}/checkpoints`)).body;
    expect(stats.counts.restored).toBeGreaterThanOrEqual(KILLS);
    expect(stats.counts.completed).toBeGreaterThan(KILLS);
    const t = (await getJson<{ taskmanagers: { id: string }[] }>(`${jm.rest}v1/taskmanagers`)).body;
    for (const v of victims) expect(t.taskmanagers.map((x) => x.id)).not.toContain(v.id);
    console.log(
      `SIGKILL proof: ${KILLS} kills, ${end.restarts} restarts, ${stats.counts.completed} checkpoints completed, ` +
        `${stats.counts.restored} restores, ${rows.length} rows committed exactly once, ${Date.now() - started} ms`,
    );
  }, 300_000);
  it('stop-with-savepoint over REST, then a job resuming from it: the committed rows are the uninterrupted run', async () => {
    // Flink's "Savepoints": POST /jobs/:jobid/stop with a targetDirectory takes the savepoint (written by the
    // JobManager process), waits until the sinks committed it, then stops; execution.savepoint.path resumes.
    const n = 6000;
    const store = path.join(root, 'store-savepoint');
    const first = (
      await rest().submitJob({
        spec: await fixtureSpec({ count: n, rowsPerSecond: 1000, dir: store, run: 's1' }, null),
        collect: false,
      })
    ).jobid;
    await until(
      'a completed checkpoint',
      async () =>
        (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${first}/checkpoints`)).body.counts
          .completed > 0,
    );
    const stop = await rest().stop(first, { savepoint: path.join(root, 'savepoints') });
    expect(stop.savepoint).toMatch(/savepoint-\d+$/);
    await until(
      'the first job to stop',
      async () => (await getJson<JobDetail>(`${jm.rest}v1/jobs/${first}`)).body.state === 'CANCELED',
    );
    const partial = committedRows(store).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(n);

    const second = (
      await rest().submitJob({
        spec: await fixtureSpec({ count: n, rowsPerSecond: 4000, dir: store, run: 's2' }, stop.savepoint),
        collect: false,
      })
    ).jobid;
    await until(
      'the resumed job to finish',
      async () => (await getJson<JobDetail>(`${jm.rest}v1/jobs/${second}`)).body.state === 'FINISHED',
      120_000,
    );
    expect(committedRows(store)).toEqual(expectedRows(n));
    const stats = (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${second}/checkpoints`)).body;
    expect(stats.latest.restored?.external_path).toBe(stop.savepoint);
  }, 240_000);
});
