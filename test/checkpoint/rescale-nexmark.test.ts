// The nexmark split scan restored at another parallelism. Reader g of P keeps the events k ≡ g (mod P) of the one
// global sequence and checkpoints the generator's position (the next global index); the readers' positions are
// union state, so a restore at P' restarts every new reader at the smallest old position and skips the events
// an old reader had already emitted (k below its position, in its share). Oracle: a two-phase sink (exactly-once
// commits, rescale-support.ts) receives every bid exactly once: the committed rows of both runs equal the
// uninterrupted run's, as a multiset.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { factories, paced, pacing, store } from './rescale-support.js';

const EVENTS = 40_000;
const SINK = 'default_catalog.default_database.out';
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-rescale-nexmark-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fs.rm(dir, { recursive: true, force: true });
  store.clear();
});

function env(scanParallelism: number, config: Record<string, string>): TableEnvironment {
  const e = TableEnvironment.create({
    config: {
      'execution.target': 'local',
      'execution.checkpointing.dir': path.join(dir, 'chk'),
      'parallelism.default': '2',
      ...config,
    },
    factories,
  });
  cleanups.push(() => e.dispatcher.shutdown());
  e.createTemporarySystemFunction('paced', paced);
  e.executeSql(`CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3))
    WITH ('connector' = 'nexmark', 'table' = 'bid', 'events.num' = '${EVENTS}', 'base-time' = '0',
      'max-emit-speed' = 'false', 'first-event.rate' = '25000', 'next-event.rate' = '25000',
      'scan.parallelism' = '${scanParallelism}')`);
  e.executeSql(
    `CREATE TABLE out (auction BIGINT, bidder BIGINT, price INT, dateTime TIMESTAMP(3)) WITH ('connector' = 'txn')`,
  );
  return e;
}
// Every bid passes the counting, pacing function (chained into the scan): the test stops after a fifth of them.
const INSERT = 'INSERT INTO out SELECT auction, bidder, paced(CAST(price AS INT)), dateTime FROM bids';

const committed = (): string[] => [...(store.committed.get(SINK) ?? [])].sort();

describe('nexmark split scan rescaled on restore', () => {
  it.each([3, 1])('savepoint with 2 readers, resume with %i: every bid exactly once', async (to) => {
    await env(2, { 'execution.checkpointing.interval': '100 ms' }).executeSql(INSERT).await();
    const expected = committed();
    // 46 of every 50 nexmark events are bids.
    expect(expected.length).toBe((EVENTS / 50) * 46);
    store.clear();

    const first = env(2, { 'execution.checkpointing.interval': '60 s' });
    pacing.rows = 0;
    const jid = first.executeSql(INSERT).jobId as string;
    while (pacing.rows < expected.length / 5) await new Promise((r) => setTimeout(r, 5));
    store.stopping = true;
    const savepoint = (await first.stopJob(jid, { savepoint: path.join(dir, 'savepoints') })) as string;
    store.stopping = false;
    pacing.rows = 0;
    const resumed = env(to, {
      'execution.checkpointing.interval': '60 s',
      'execution.savepoint.path': savepoint,
    });
    await resumed.executeSql(INSERT).await();
    expect(pacing.rows).toBeGreaterThan(0);
    expect(pacing.rows).toBeLessThanOrEqual((expected.length * 4) / 5);
    expect(committed()).toEqual(expected);
  });
});
