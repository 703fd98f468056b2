// The datagen reader's checkpointed position, one reader at a time (datagen-checkpoint.test.ts runs whole jobs):
// a restored reader continues its sequence at 'rows-per-second' instead of bursting out the rows the wall clock
// says are overdue, draws new random values (Flink's RandomGenerator keeps no random state), refuses a table
// whose sequence changed, and the split readers' shares cover the range once (Flink's DataGeneratorSource).
import { describe, expect, it } from 'vitest';
import { datagenFactory } from '../../connectors/datagen/factory.js';
import { Schema, Types, type SourceReader, type Value } from '../../executor/index.js';
import { batchToRows } from '../../executor/batch/batch.js';

const schema = Schema.of(['id', Types.BIGINT()], ['r', Types.INT()]);

function reader(options: Record<string, string>, index = 0, parallelism = 1): SourceReader {
  const source = datagenFactory.createScanSource!({
    physicalSchema: schema,
    options: {
      'fields.id.kind': 'sequence',
      'fields.id.start': '1',
      'fields.id.end': '1000',
      seed: '3',
      ...options,
    },
    tableName: 't',
  });
  return source.createReader(index, parallelism);
}

/** Reads `batches` batches (all when null), returning the rows and the reader's position afterwards. */
async function take(
  r: SourceReader,
  batches: number | null,
): Promise<{ rows: Value[][]; state: Uint8Array }> {
  const rows: Value[][] = [];
  const abort = new AbortController();
  let n = 0;
  for await (const e of r.read(abort.signal)) {
    if (e.kind !== 'batch') continue;
    rows.push(...batchToRows(e.batch));
    // The position between two elements, as the subtask snapshots it at a barrier.
    if (batches !== null && ++n >= batches) break;
  }
  abort.abort();
  return { rows, state: r.snapshotState!() };
}

describe('datagen reader position', () => {
  it('continues the sequence exactly with new random values after a restore', async () => {
    const opts = { 'rows-per-second': '0', 'number-of-rows': '300' };
    const full = await take(reader(opts), null);
    const ids = full.rows.map((r) => Number(r[0]));
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));

    const first = await take(reader({ ...opts, 'rows-per-second': '1000' }), 1); // 100 rows per tick
    expect(first.rows.map((r) => Number(r[0]))).toEqual(ids.slice(0, 100));
    const restored = reader(opts);
    restored.restoreState!(first.state);
    const rest = await take(restored, null);
    expect(rest.rows.map((r) => Number(r[0]))).toEqual(ids.slice(100));
    // With the same seed, the random column after the restore is not the job's first rows replayed.
    expect(rest.rows.slice(0, 100).map((r) => r[1])).not.toEqual(full.rows.slice(0, 100).map((r) => r[1]));
  });

  it("paces 'rows-per-second' from the restore instead of bursting", async () => {
    const opts = { 'rows-per-second': '1000' };
    const first = await take(reader(opts), 3); // 300 rows, the last due 200 ms after the start
    await new Promise((r) => setTimeout(r, 300)); // time passes between the checkpoint and the restore
    const restored = reader(opts);
    restored.restoreState!(first.state);
    const started = Date.now();
    const rest = await take(restored, 3);
    const took = Date.now() - started;
    expect(rest.rows[0]![0]).toBe(301n);
    // Three ticks of 100 rows at 1000 rows/s: the first at once, the third 200 ms later (a reader paced from the
    // original start would have sent them all at once, 500 ms late).
    expect(took).toBeGreaterThanOrEqual(180);
  });

  it('refuses a restore into a table whose sequence start changed, naming the field', async () => {
    const first = await take(reader({ 'rows-per-second': '0' }), 1);
    const other = reader({ 'rows-per-second': '0', 'fields.id.start': '5' });
    expect(() => other.restoreState!(first.state)).toThrow(/cannot restore sequence field 'id' \(start 1/);
  });

  it('splits the rows evenly over readers, each sequence value in exactly one share', async () => {
    const opts = { 'rows-per-second': '0', 'number-of-rows': '1000' };
    const shares = await Promise.all([0, 1, 2].map(async (g) => (await take(reader(opts, g, 3), null)).rows));
    expect(shares.map((s) => s.length)).toEqual([333, 333, 334]);
    const all = shares.flat().map((r) => Number(r[0]));
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });
});
