// Stop with savepoint through the Dispatcher (what the shell's STOP JOB ... WITH SAVEPOINT and POST
// /v1/jobs/:jid/stop use), Flink's /v1/jobs/:jid/checkpoints statistics, and resuming a SQL job from the
// savepoint with SET 'execution.savepoint.path': the resumed job's output continues where the savepoint was.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RestServer, TableEnvironment } from '../../index.js';
import type { CheckpointingStatistics } from '../../executor/checkpoint/coordinator.js';
import { FileCheckpointStorage, loadCheckpoint } from '../../executor/checkpoint/storage.js';
import { decodeKeyGroupedSnapshot } from '../../executor/state/key-grouped-snapshot.js';

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-stopsp-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fs.rm(dir, { recursive: true, force: true });
});

const BIDS = (events: number): string => `CREATE TABLE bid (auction BIGINT, price BIGINT) WITH (
  'connector' = 'nexmark', 'table' = 'bid', 'events.num' = '${events}', 'first-event.rate' = '4000',
  'next-event.rate' = '4000', 'base-time' = '1700000000000', 'max-emit-speed' = 'false')`;
const SINK = `CREATE TABLE out (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole')`;

function env(extra: Record<string, string> = {}): TableEnvironment {
  const e = TableEnvironment.create({
    config: {
      'execution.target': 'local',
      'execution.checkpointing.interval': '100 ms',
      'execution.checkpointing.dir': path.join(dir, 'chk'),
      ...extra,
    },
  });
  cleanups.push(() => e.dispatcher.shutdown());
  return e;
}

/** GET /v1/jobs/:jid/checkpoints: Flink's CheckpointingStatistics (an error body on a 404). */
async function getStats(url: string): Promise<{ status: number; body: CheckpointingStatistics }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as CheckpointingStatistics };
}

describe('stop with savepoint', () => {
  it('serves checkpoint statistics, stops with a savepoint, and a resumed job restores it', async () => {
    const e = env();
    e.executeSql(BIDS(100_000));
    e.executeSql(SINK);
    const jid = e.executeSql('INSERT INTO out SELECT auction, price FROM bid').jobId as string;
    const server = await RestServer.start(e.dispatcher, { port: 0, dashboardDir: null });
    cleanups.push(() => server.close());

    // Flink's /jobs/:jid/checkpoints: completed checkpoints appear while the job runs.
    let stats = await getStats(`${server.url}v1/jobs/${jid}/checkpoints`);
    for (let i = 0; i < 100 && stats.body.counts.completed < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stats = await getStats(`${server.url}v1/jobs/${jid}/checkpoints`);
    }
    expect(stats.status).toBe(200);
    expect(stats.body.counts.completed).toBeGreaterThanOrEqual(2);
    expect(stats.body.latest.completed).toMatchObject({
      status: 'COMPLETED',
      checkpoint_type: 'CHECKPOINT',
      is_savepoint: false,
    });
    expect(stats.body.latest.completed?.external_path).toContain(path.join(dir, 'chk'));
    expect((await getStats(`${server.url}v1/jobs/nope/checkpoints`)).status).toBe(404);

    const target = path.join(dir, 'savepoints');
    const savepointPath = await e.stopJob(jid, { savepoint: target });
    expect(savepointPath).toMatch(new RegExp(`^${target}/savepoint-\\d+$`));
    const sp = await loadCheckpoint(savepointPath!);
    expect(sp.metadata.kind).toBe('savepoint');
    const source = sp.metadata.state.find((h) => h.name === 'source');
    expect(source).toBeDefined();
    // The nexmark reader's state is union operator state (81d68c1): one entry per reader, with its generator position.
    const readers = decodeKeyGroupedSnapshot(
      (await sp.read(source!.operator, 0, 'source'))!,
    ).operatorState.union?.get('readers') as { position: { eventsEmitted: number } | null }[];
    const position = { eventsEmitted: readers[0]?.position?.eventsEmitted ?? 0 };
    expect(position.eventsEmitted).toBeGreaterThan(0);
    expect(position.eventsEmitted).toBeLessThan(100_000);
    expect(e.dispatcher.listJobs().find((j) => j.jid === jid)?.state).toBe('CANCELED');

    // Resumed from the savepoint, the generator continues at the saved event: the job reads only the rest.
    const resumed = env({
      'execution.savepoint.path': savepointPath!,
      'execution.checkpointing.interval': '60 s',
    });
    resumed.executeSql(BIDS(position.eventsEmitted + 2000));
    resumed.executeSql(SINK);
    const r = resumed.executeSql('INSERT INTO out SELECT auction, price FROM bid');
    await r.await();
    const detail = resumed.dispatcher.jobDetail(r.jobId as string);
    const read = detail.vertices.reduce((n, v) => Math.max(n, v.metrics['read-records'] ?? 0), 0);
    // Bids are 46 of every 50 events: about 1840 of the 2000 left, never the whole stream again.
    expect(read).toBeGreaterThan(1500);
    expect(read).toBeLessThan(2000);
  });

  it('refuses a savepoint for a job without checkpointing, naming the setting', async () => {
    const e = TableEnvironment.create({ config: { 'execution.target': 'local' } });
    cleanups.push(() => e.dispatcher.shutdown());
    e.executeSql(BIDS(100_000));
    e.executeSql(SINK);
    const jid = e.executeSql('INSERT INTO out SELECT auction, price FROM bid').jobId as string;
    await expect(e.stopJob(jid, { savepoint: '' })).rejects.toThrow(
      "STOP JOB ... WITH SAVEPOINT needs a running job with checkpointing on (SET 'execution.checkpointing.interval')",
    );
    expect(new FileCheckpointStorage(path.join(dir, 'chk'))).toBeDefined();
  });
});
