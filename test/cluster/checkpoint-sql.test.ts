// Checkpointed SQL on the MiniCluster: with execution.target = mini-cluster and execution.checkpointing.interval
// set, the job runs in the slots (no fallback to the client thread) and the cluster's JobManager coordinates its
// checkpoints (Flink: the JobMaster's CheckpointCoordinator; docs "Checkpointing", "Savepoints"). The results equal
// the in-thread run; STOP JOB ... WITH SAVEPOINT reaches the JobManager through the Dispatcher and a job started
// with execution.savepoint.path resumes from the savepoint.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniCluster, TableEnvironment } from '../../index.js';
import { loadCheckpoint } from '../../executor/checkpoint/storage.js';
import { decodeKeyGroupedSnapshot } from '../../executor/state/key-grouped-snapshot.js';
import { factoriesWithPositionless } from '../checkpoint/positionless.js';

process.env['FRESHET_TASK_SLOTS'] = '2';

const factories = factoriesWithPositionless();
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-cluster-sqlchk-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const bids = (
  n: number,
  rate: number,
): string => `CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3)) WITH (
  'connector' = 'nexmark', 'table' = 'bid', 'events.num' = '${n}', 'first-event.rate' = '${rate}',
  'next-event.rate' = '${rate}', 'base-time' = '1700000000000', 'max-emit-speed' = 'false')`;
const QUERY = 'SELECT auction % 10 AS a, COUNT(*) AS n, SUM(price) AS total FROM bid GROUP BY auction % 10';

async function finalTable(config: Record<string, string>): Promise<string[]> {
  const env = TableEnvironment.create({ parallelism: 2, config });
  env.executeSql(bids(20_000, 10_000));
  const rows = await env.executeSql(QUERY).materialize();
  return rows.map((r) => r.map(String).join(',')).sort();
}

/** The MiniCluster job submitted last. */
async function lastClusterJob(): Promise<NonNullable<ReturnType<MiniCluster['getJob']>>> {
  const cluster = await MiniCluster.shared();
  const { jobs } = await cluster.jobs();
  const newest = [...jobs].sort((a, b) => b['start-time'] - a['start-time'])[0];
  const jm = newest === undefined ? undefined : cluster.getJob(newest.jid);
  if (jm === undefined) throw new Error('no job on the MiniCluster');
  return jm;
}

describe('checkpointed SQL on the MiniCluster', () => {
  it('runs in the slots with the JobManager checkpointing it, and the result equals the local run', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => void warnings.push(`${w.code}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const local = await finalTable({ 'execution.target': 'local' });
      const remote = await finalTable({
        'execution.target': 'mini-cluster',
        'execution.checkpointing.interval': '100 ms',
        'execution.checkpointing.dir': dir,
        'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
      });
      expect(local).toHaveLength(10);
      expect(remote).toEqual(local);
      expect(warnings.filter((w) => w.startsWith('FRESHET_LOCAL_EXECUTION'))).toEqual([]);
      const jm = await lastClusterJob();
      expect(jm.state).toBe('FINISHED');
      expect(jm.checkpointStatistics()?.counts.completed).toBeGreaterThan(0);
      // RETAIN_ON_CANCELLATION keeps the retained checkpoint under <dir>/<job id>, as Flink's layout.
      expect((await fs.readdir(path.join(dir, jm.jobId))).some((f) => /^chk-\d+$/.test(f))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  }, 180_000);

  it('fails a cluster job whose source cannot checkpoint its position, naming the source, without restarting it', async () => {
    const env = TableEnvironment.create({
      parallelism: 2,
      factories,
      config: {
        'execution.target': 'mini-cluster',
        'execution.checkpointing.interval': '50 ms',
        'execution.checkpointing.dir': dir,
      },
    });
    env.executeSql(
      `CREATE TABLE t (x INT) WITH ('connector' = 'positionless', 'rows-per-second' = '2000', 'number-of-rows' = '4000')`,
    );
    await expect(env.executeSql('SELECT COUNT(*) FROM t').materialize()).rejects.toThrow(
      /checkpointing is on, but source '.*' cannot checkpoint its read position/,
    );
    // Unrecoverable: the default exponential-delay restart strategy is not consulted (no restart loop).
    expect((await lastClusterJob()).restarts).toBe(0);
  }, 120_000);

  it('STOP JOB WITH SAVEPOINT stops the cluster job; a job started from the savepoint reads only the rest', async () => {
    const config = {
      'execution.target': 'mini-cluster',
      'execution.checkpointing.interval': '100 ms',
      'execution.checkpointing.dir': dir,
    };
    const N = 40_000;
    const insert = async (extra: Record<string, string>): Promise<{ env: TableEnvironment; jid: string }> => {
      const env = TableEnvironment.create({ parallelism: 2, config: { ...config, ...extra } });
      env.executeSql(bids(N, 4_000));
      env.executeSql(`CREATE TABLE out (a BIGINT, n BIGINT, total BIGINT) WITH ('connector' = 'blackhole')`);
      return { env, jid: env.executeSql(`INSERT INTO out ${QUERY}`).jobId as string };
    };
    const { env, jid } = await insert({});
    while (((await env.dispatcher.checkpoints(jid))?.counts.completed ?? 0) === 0)
      await new Promise((r) => setTimeout(r, 100));
    const stopped = await lastClusterJob();
    // What SQL's STOP JOB ... WITH SAVEPOINT and POST /v1/jobs/:jid/stop call: the Dispatcher asks the JobManager.
    const stop = await env.dispatcher.stopJob(jid, { savepoint: path.join(dir, 'savepoints') });
    expect(stop.savepoint).toMatch(new RegExp(`^${path.join(dir, 'savepoints')}/savepoint-\\d+$`));
    expect(stopped.state).toBe('CANCELED');
    // The Dispatcher serves the cluster job's own checkpoint settings and per-vertex details (REST's sources).
    expect(await env.dispatcher.checkpointConfig(jid)).toMatchObject({ mode: 'exactly_once', interval: 100 });
    const savepointStats = (await env.dispatcher.checkpoints(jid))?.latest.savepoint;
    const details = await env.dispatcher.checkpointDetails(jid, savepointStats?.id ?? -1);
    expect(details?.checkpoint_type).toBe('SAVEPOINT');
    expect(Object.keys(details?.tasks ?? {}).sort()).toEqual(
      stopped.graph.vertices.map((v) => String(v.id)).sort(),
    );
    const sp = await loadCheckpoint(stop.savepoint as string);
    const source = sp.metadata.state.find((h) => h.name === 'source');
    // The nexmark reader's state is union operator state: one entry per reader, with its generator position.
    const readers = decodeKeyGroupedSnapshot(
      (await sp.read(source?.operator ?? '', 0, 'source')) ?? new Uint8Array(),
    ).operatorState.union?.get('readers') as { position: { eventsEmitted: number } | null }[] | undefined;
    const position = { eventsEmitted: readers?.[0]?.position?.eventsEmitted ?? 0 };
    expect(position.eventsEmitted).toBeGreaterThan(0);
    expect(position.eventsEmitted).toBeLessThan(N);

    // Resumed from the savepoint the generator continues at the saved event: the source emits only the rest.
    const resumed = await insert({ 'execution.savepoint.path': stop.savepoint as string });
    await resumed.env.dispatcher.result(resumed.jid);
    const jm = await lastClusterJob();
    expect(jm.jobId).not.toBe(stopped.jobId);
    expect(jm.state).toBe('FINISHED');
    expect(jm.checkpointStatistics()?.latest.restored?.external_path).toBe(stop.savepoint);
    const sourceVertex = jm.graph.vertices[0];
    const emitted = jm.executions
      .filter((e) => e.vertex === sourceVertex)
      .reduce((n, e) => n + (e.report?.counters['numRecordsOut'] ?? 0), 0);
    // Bids are most but not all nexmark events: fewer rows than the events left, and more than none.
    expect(emitted).toBeGreaterThan(0);
    expect(emitted).toBeLessThanOrEqual(N - position.eventsEmitted);
  }, 180_000);
});
