// The datagen source checkpoints its read position, as Flink's DataGeneratorSource does (DataGenTableSource →
// DataGeneratorSource; SequenceGenerator is a CheckpointedFunction keeping the values still to emit,
// RandomGenerator only the count of emitted rows for 'number-of-rows'). Oracle: a two-phase sink
// (rescale-support.ts, exactly-once commits) receives every sequence value exactly once through an injected
// failure and through a stop-with-savepoint + resume, and the resumed/restarted source continues the sequence
// instead of starting over (a reader that forgot its position would commit the first values twice).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment, type Value } from '../../index.js';
import { loadCheckpoint } from '../../executor/checkpoint/storage.js';
import { decodeKeyGroupedSnapshot, isKeyGroupedSnapshot } from '../../executor/state/key-grouped-snapshot.js';
import { factories, store } from './rescale-support.js';

const ROWS = 6000;
const SINK = 'default_catalog.default_database.out';
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-datagen-chk-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fs.rm(dir, { recursive: true, force: true });
  store.clear();
});

/** Rows through `probe` since the last reset, and a one-shot failure at a row count (null: none). */
const probeState = { rows: 0, failAt: null as number | null, failed: 0 };
const probe = {
  eval: (id: Value): Value => {
    probeState.rows++;
    if (probeState.failAt !== null && probeState.rows >= probeState.failAt) {
      probeState.failAt = null;
      probeState.failed++;
      throw new Error('injected failure');
    }
    return id;
  },
  resultType: { kind: 'BIGINT', nullable: true },
} as const;

function env(config: Record<string, string>, rate = 20_000, scanParallelism = 1): TableEnvironment {
  const e = TableEnvironment.create({
    config: {
      'execution.target': 'local',
      'execution.checkpointing.dir': path.join(dir, 'chk'),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '3',
      'restart-strategy.fixed-delay.delay': '10 ms',
      ...config,
    },
    factories,
  });
  cleanups.push(() => e.dispatcher.shutdown());
  e.createTemporarySystemFunction('probe', probe);
  // A sequence field (bounded far above number-of-rows, so 'number-of-rows' ends the source) and a random one.
  e.executeSql(`CREATE TABLE g (id BIGINT, r INT) WITH ('connector' = 'datagen', 'rows-per-second' = '${rate}',
    'number-of-rows' = '${ROWS}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000',
    'fields.r.min' = '0', 'fields.r.max' = '9', 'seed' = '7', 'scan.parallelism' = '${scanParallelism}')`);
  e.executeSql(`CREATE TABLE out (id BIGINT) WITH ('connector' = 'txn')`);
  return e;
}
const INSERT = 'INSERT INTO out SELECT probe(id) FROM g';

/** The committed ids, in order of value. */
const committedIds = (): number[] =>
  (store.committed.get(SINK) ?? []).map((line) => Number(/-?\d+/.exec(line)?.[0])).sort((a, b) => a - b);
const oneToRows = Array.from({ length: ROWS }, (_, i) => i + 1);

/**
 * Runs the job at 4000 rows/s with `readers` datagen readers (the rest at parallelism 2) and stops it with a
 * savepoint after a fifth of the rows passed the probe; the rows committed by then stay in the store.
 */
async function savepointAfterAFifth(readers: number): Promise<string> {
  const first = env(
    { 'execution.checkpointing.interval': '60 s', 'parallelism.default': '2' },
    4000,
    readers,
  );
  probeState.rows = 0;
  probeState.failAt = null;
  const jid = first.executeSql(INSERT).jobId as string;
  while (probeState.rows < ROWS / 5) await new Promise((r) => setTimeout(r, 5));
  store.stopping = true;
  const savepoint = (await first.stopJob(jid, { savepoint: path.join(dir, 'savepoints') })) as string;
  store.stopping = false;
  return savepoint;
}

describe('datagen source checkpoints its position', () => {
  it('a failure mid-stream restarts from the checkpoint: every sequence value committed exactly once', async () => {
    probeState.rows = 0;
    probeState.failed = 0;
    // Fails once after half the rows (150 ms at 20000 rows/s: checkpoints every 40 ms have completed by then).
    probeState.failAt = ROWS / 2;
    await env({ 'execution.checkpointing.interval': '40 ms' }).executeSql(INSERT).await();
    expect(probeState.failed).toBe(1);
    expect(committedIds()).toEqual(oneToRows);
    // The restarted reader continued at its checkpointed position: the rows through the probe are the first
    // attempt's plus the rest after the checkpoint, well below two full passes (a reader that started over would
    // also have failed the exactly-once check above, committing the values before the checkpoint twice).
    expect(probeState.rows).toBeLessThan(ROWS + ROWS / 2);
  });

  it('stop with savepoint, resume (the rest of the job at another parallelism): the sequence continues', async () => {
    const savepoint = await savepointAfterAFifth(1);
    const before = committedIds();
    expect(before.length).toBeGreaterThan(0);

    // The savepoint holds the reader's position: rows emitted and the sequence's next value (start + emitted).
    const sp = await loadCheckpoint(savepoint);
    // One reader's union operator state: its remaining row ranges (row n holds sequence value start + n).
    let state: {
      remaining: [number, number | null][];
      emitted: number;
      starts: Record<string, number>;
    } | null = null;
    for (const h of sp.metadata.state) {
      const bytes = await sp.read(h.operator, 0, h.name);
      if (bytes === null || bytes === undefined || !isKeyGroupedSnapshot(bytes)) continue;
      const readers = decodeKeyGroupedSnapshot(bytes).operatorState.union?.get('readers');
      if (readers !== undefined) state = readers[0] as typeof state;
    }
    expect(state).not.toBeNull();
    expect(state!.starts).toEqual({ id: 1 });
    expect(state!.emitted).toBeGreaterThan(0);
    expect(state!.remaining).toEqual([[state!.emitted, ROWS]]);

    probeState.rows = 0;
    const resumed = env({
      'execution.checkpointing.interval': '60 s',
      'execution.savepoint.path': savepoint,
      'parallelism.default': '1',
    });
    await resumed.executeSql(INSERT).await();
    // Only the rest went through: exactly the rows after the saved position.
    expect(probeState.rows).toBe(ROWS - state!.emitted);
    expect(committedIds()).toEqual(oneToRows);
  });

  // Flink's DataGeneratorSource splits a sequence's range evenly over its readers and redistributes the remaining
  // ranges (SequenceGenerator's list state) on a restore at another parallelism.
  it.each([3, 1])(
    '2 readers, savepoint, resume with %i readers: every sequence value exactly once',
    async (to) => {
      const savepoint = await savepointAfterAFifth(2);
      const before = committedIds();
      // Both readers advanced within their halves: values from 1 and from ROWS / 2 + 1 were committed.
      expect(before.some((v) => v <= ROWS / 2)).toBe(true);
      expect(before.some((v) => v > ROWS / 2)).toBe(true);

      probeState.rows = 0;
      const resumed = env(
        {
          'execution.checkpointing.interval': '60 s',
          'execution.savepoint.path': savepoint,
          'parallelism.default': '2',
        },
        20_000,
        to,
      );
      await resumed.executeSql(INSERT).await();
      expect(probeState.rows).toBeGreaterThan(0);
      expect(probeState.rows).toBeLessThanOrEqual(ROWS - before.length);
      expect(committedIds()).toEqual(oneToRows);
    },
  );
});
