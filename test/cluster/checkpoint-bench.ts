// Not a test (no .test.ts): a measurement, run by hand; docs/checkpoints.md quotes its numbers.
// Checkpoint cost on the MiniCluster: nexmark bids -> GROUP BY auction (COUNT, SUM) -> blackhole, P=2, with and
// without checkpoints every 500 ms. Usage: npx tsx test/cluster/checkpoint-bench.ts <events> [mini-cluster|local]
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableEnvironment } from '../../index.js';

process.env['FRESHET_TASK_SLOTS'] = '2';
const N = Number(process.argv[2] ?? '2000000');
const target = process.argv[3] ?? 'mini-cluster';
async function run(checkpoint: boolean): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ckbench-'));
  const env = TableEnvironment.create({
    parallelism: 2,
    config: {
      'execution.target': target,
      ...(checkpoint
        ? { 'execution.checkpointing.interval': '500 ms', 'execution.checkpointing.dir': dir }
        : {}),
    },
  });
  env.executeSql(`CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3)) WITH (
    'connector' = 'nexmark', 'table' = 'bid', 'events.num' = '${N}', 'base-time' = '1700000000000')`);
  env.executeSql(`CREATE TABLE out (a BIGINT, n BIGINT, s BIGINT) WITH ('connector' = 'blackhole')`);
  const t0 = Date.now();
  const jid = env.executeSql('INSERT INTO out SELECT auction, COUNT(*), SUM(price) FROM bid GROUP BY auction')
    .jobId as string;
  await env.dispatcher.result(jid);
  const ms = Date.now() - t0;
  const st = await env.dispatcher.checkpoints(jid);
  const done = (st?.history ?? []).filter((h) => h.status === 'COMPLETED').reverse();
  console.log(
    JSON.stringify({
      target,
      checkpoint,
      events: N,
      wallMs: ms,
      completed: st?.counts.completed ?? 0,
      failed: st?.counts.failed ?? 0,
      durationsMs: done.map((h) => h.end_to_end_duration),
      stateMB: done.map((h) => +(h.state_size / 1e6).toFixed(1)),
      alignmentMs: done.map((h) => Math.round(h.alignment_duration)),
    }),
  );
  await fs.rm(dir, { recursive: true, force: true });
}
await run(false); // warms the slot threads
for (let i = 0; i < 2; i++) {
  await run(false);
  await run(true);
}
process.exit(0);
