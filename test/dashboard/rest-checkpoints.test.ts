// The REST checkpoint endpoints the dashboard's checkpoints tab reads, over real HTTP against a running
// checkpointed job (Flink's REST API: /jobs/:jobid/checkpoints, /checkpoints/config -> CheckpointConfigInfo,
// /checkpoints/details/:checkpointid -> CheckpointStatistics; a job without checkpointing answers 404 on config).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { RestServer, type CheckpointingStatistics } from '../../executor/index.js';

const dir = mkdtempSync(join(tmpdir(), 'freshet-rest-cp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('REST checkpoint endpoints', () => {
  it('serve the statistics, Flink-shaped config and one checkpoint; 404 without checkpointing or for an unknown id', async () => {
    const env = TableEnvironment.create({
      config: {
        'execution.target': 'local',
        'execution.checkpointing.interval': '200 ms',
        'execution.checkpointing.mode': 'AT_LEAST_ONCE',
        'execution.checkpointing.timeout': '1 min',
        'execution.checkpointing.tolerable-failed-checkpoints': '3',
        'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
        'execution.checkpointing.dir': join(dir, 'cp'),
      },
    });
    const server = await RestServer.start(env.dispatcher, { port: 0, dashboardDir: null });
    try {
      env.executeSql(
        "CREATE TABLE bids (auction BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid', 'first-event.rate' = '1000', 'max-emit-speed' = 'false')",
      );
      env.executeSql("CREATE TABLE sink (auction BIGINT) WITH ('connector' = 'blackhole')");
      const jid = env.executeSql('INSERT INTO sink SELECT auction FROM bids').jobId as string;
      const base = `${server.url}v1/jobs/${jid}/checkpoints`;
      await expect
        .poll(async () => ((await get(base)).body as CheckpointingStatistics).counts.completed, {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);

      const config = await get(`${base}/config`);
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({
        mode: 'at_least_once',
        interval: 200,
        timeout: 60_000,
        min_pause: 0,
        max_concurrent: 1,
        externalization: { enabled: true, delete_on_cancellation: false },
        unaligned_checkpoints: false,
        tolerable_failed_checkpoints: 3,
      });
      expect((config.body as { checkpoint_storage: string }).checkpoint_storage).toContain(join(dir, 'cp'));

      const stats = (await get(base)).body as CheckpointingStatistics;
      const done = stats.history.find((h) => h.status === 'COMPLETED');
      expect(done).toBeDefined();
      const detail = await get(`${base}/details/${done?.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ id: done?.id, status: 'COMPLETED', checkpoint_type: 'CHECKPOINT' });
      const missing = await get(`${base}/details/987654`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        errors: ['Could not find checkpointing statistics for checkpoint 987654.'],
      });

      // A job without checkpointing: zero counts (as Flink) and 404 on the config.
      const plain = TableEnvironment.create({ dispatcher: env.dispatcher });
      plain.executeSql("CREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5')");
      const q = plain.executeSql('SELECT x FROM g');
      await q.materialize();
      const none = await get(`${server.url}v1/jobs/${q.jobId}/checkpoints`);
      expect((none.body as CheckpointingStatistics).counts.total).toBe(0);
      const noConfig = await get(`${server.url}v1/jobs/${q.jobId}/checkpoints/config`);
      expect(noConfig).toEqual({
        status: 404,
        body: { errors: ['Checkpointing is not enabled for this job'] },
      });
      expect((await get(`${server.url}v1/jobs/nope/checkpoints/config`)).status).toBe(404);
    } finally {
      await server.close();
      await env.dispatcher.shutdown();
    }
  });
});
