// Checkpointing from SQL: `SET 'execution.checkpointing.interval'` turns checkpoints on for the statements that
// follow (Flink's key); they complete and land under execution.checkpointing.dir, the results are unchanged, and a
// source that cannot checkpoint its position makes the job fail with a message naming it (never a silent
// checkpoint that would replay the source from the start on restore).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { factoriesWithPositionless } from './positionless.js';


const factories = factoriesWithPositionless();
let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-sqlchk-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const BIDS = `CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3)) WITH (
  'connector' = 'nexmark', 'table' = 'bid', 'events.num' = '12000', 'first-event.rate' = '20000',
  'next-event.rate' = '20000', 'base-time' = '1700000000000', 'max-emit-speed' = 'false')`;
const QUERY = 'SELECT auction % 10 AS a, COUNT(*) AS n, SUM(price) AS total FROM bid GROUP BY auction % 10';

async function finalTable(config: Record<string, string>): Promise<string[]> {
  const env = TableEnvironment.create({ config: { 'execution.target': 'local', ...config } });
  env.executeSql(BIDS);
  const rows = await env.executeSql(QUERY).materialize();
  return rows.map((r) => r.map(String).join(',')).sort();
}

describe('checkpointing configured in SQL', () => {
  it('takes checkpoints while the job runs and leaves results unchanged', async () => {
    const plain = await finalTable({});
    const checkpointed = await finalTable({
      'execution.checkpointing.interval': '100 ms',
      'execution.checkpointing.dir': dir,
      'execution.checkpointing.num-retained': '2',
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    });
    expect(checkpointed).toEqual(plain);
    const jobs = await fs.readdir(dir);
    expect(jobs).toHaveLength(1);
    const folders = await fs.readdir(path.join(dir, jobs[0]!));
    expect(folders.filter((f) => f.startsWith('chk-')).length).toBeGreaterThanOrEqual(1);
    expect(folders.filter((f) => f.startsWith('chk-')).length).toBeLessThanOrEqual(2);
  });

  it('runs a VALUES query with checkpointing on (the values source checkpoints its position)', async () => {
    const env = TableEnvironment.create({
      config: { 'execution.target': 'local', 'execution.checkpointing.interval': '1 s', 'execution.checkpointing.dir': dir },
    });
    expect(await env.executeSql('SELECT * FROM (VALUES (1), (2)) AS t(x)').materialize()).toEqual([[1], [2]]);
  });

  it('removes the checkpoints when the job ends, by default (NO_EXTERNALIZED_CHECKPOINTS)', async () => {
    await finalTable({ 'execution.checkpointing.interval': '100 ms', 'execution.checkpointing.dir': dir });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('fails a job whose source cannot checkpoint its position, naming the source', async () => {
    const env = TableEnvironment.create({
      factories,
      config: {
        'execution.target': 'local',
        'execution.checkpointing.interval': '50 ms',
        'execution.checkpointing.dir': dir,
      },
    });
    env.executeSql(
      `CREATE TABLE t (x INT) WITH ('connector' = 'positionless', 'rows-per-second' = '2000', 'number-of-rows' = '4000')`,
    );
    await expect(env.executeSql('SELECT COUNT(*) FROM t').materialize()).rejects.toThrow(
      /checkpointing is on, but source '.*' cannot checkpoint its read position; turn checkpointing off for this job or read from a source that can/,
    );
  });
});
