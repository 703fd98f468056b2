// The final checkpoint before tasks finish on the MiniCluster (the JobManager's coordinator, slots in worker
// threads): a failure after the two-phase sink's end of input, before the job finished, leaves every row committed
// once; with execution.checkpointing.checkpoints-after-tasks-finish false the sink commits at its end of input and
// the replayed tail is committed twice. Flink: docs "Checkpointing" → "Checkpointing with parts of the graph
// finished" (FLIP-147).
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKPOINT_CONFIG } from '../../executor/checkpoint/coordinator.js';
import { MiniCluster } from '../../executor/cluster/mini-cluster.js';
import type { JobSpec } from '../../executor/cluster/protocol.js';
import { committedRows, type FinalCheckpointPayload } from './final-checkpoint-fixtures.js';

const BUILDER = new URL('./final-checkpoint-fixtures.ts', import.meta.url).href;
const N = 3000;
const expected = Array.from({ length: N }, (_, i) => `${i % 7},${i}`).sort();

let root: string;
let cluster: MiniCluster;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-final-cp-cluster-'));
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
/** A 60 s interval: the only checkpoints are the one taken by hand mid-run and the final ones. */
async function run(
  failOn: FinalCheckpointPayload['failOn'],
  afterTasksFinish: boolean,
): Promise<{ store: string; restarts: number; ms: number }> {
  const store = path.join(root, `store-${++runs}`);
  await fs.mkdir(store, { recursive: true });
  const payload: FinalCheckpointPayload = { count: N, dir: store, failOn };
  const spec: JobSpec = {
    name: 'final checkpoint',
    builder: BUILDER,
    payload,
    checkpointing: {
      config: {
        ...DEFAULT_CHECKPOINT_CONFIG,
        intervalMs: 60_000,
        checkpointsAfterTasksFinish: afterTasksFinish,
      },
      dir: path.join(root, `checkpoints-${runs}`),
      numRetained: 2,
      restorePath: null,
      retention: 'NO_EXTERNALIZED_CHECKPOINTS',
    },
    restartStrategy: {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '2',
      'restart-strategy.fixed-delay.delay': '100 ms',
    },
  };
  const t0 = Date.now();
  const jm = await cluster.submit(spec);
  while (!existsSync(path.join(store, 'progress'))) await new Promise((r) => setTimeout(r, 5));
  await jm.triggerCheckpoint();
  const res = await jm.getJobExecutionResult();
  return { store, restarts: res.restarts, ms: Date.now() - t0 };
}

describe('final checkpoint before tasks finish on the MiniCluster', () => {
  it('a failure after the end of input commits every row once, and the job ends without waiting for the interval', async () => {
    const r = await run('ended', true);
    expect(r.restarts).toBe(1);
    expect(existsSync(path.join(r.store, 'committed-by-finish'))).toBe(false);
    expect(committedRows(r.store)).toEqual(expected);
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);

  it('a failure after the final checkpoint committed: restored from it, nothing committed twice', async () => {
    const r = await run('finished', true);
    expect(r.restarts).toBe(1);
    expect(committedRows(r.store)).toEqual(expected);
  }, 60_000);

  it("with 'checkpoints-after-tasks-finish' false the end-of-input commit is replayed: duplicates (the old behaviour)", async () => {
    const r = await run('finished', false);
    expect(r.restarts).toBe(1);
    expect(existsSync(path.join(r.store, 'committed-by-finish'))).toBe(true);
    const rows = committedRows(r.store);
    expect(rows.length).toBeGreaterThan(N);
    expect(new Set(rows).size).toBe(N);
  }, 60_000);
});
