// The Nexmark benchmark's correctness checks (issue #11), on small inputs: each query's output row count and
// order-independent checksum are the same at parallelism 1 and 2 and across two runs with the same seed, and the
// checksum sees a dropped row, a changed row kind or value, but not batch boundaries, order or column layout.
import { describe, expect, it } from 'vitest';
import { ChangelogChecksum } from '../../connectors/blackhole/checksum.js';
import { Schema, Types, batchFromRows, makeBatch, RowKind, type RecordBatch } from '../../executor/index.js';
import { runLatency, runQuery } from '../../scripts/bench-nexmark.js';
import { QUERIES } from '../../scripts/bench-nexmark-queries.js';

const EVENTS = 20_000;
const run = (query: string, parallelism: number, seed = 7) =>
  runQuery(query, { events: EVENTS, parallelism, tps: 10_000, seed });

describe('nexmark benchmark: reproducible output', () => {
  // One query of each operator family: Calc, filter, HOP window + window join, tumble + regular join, window
  // join, session window, group aggregate with DISTINCT, Top-N, regular join.
  for (const name of ['q0', 'q2', 'q5', 'q7', 'q8', 'q11', 'q15', 'q19', 'q20']) {
    it(`${name}: same rows and checksum at parallelism 1 and 2, and across runs with one seed`, async () => {
      const a = await run(name, 1);
      const b = await run(name, 2);
      const c = await run(name, 1);
      expect(a.outputRows).toBeGreaterThan(0);
      expect(a.checksum).toMatch(/^[0-9a-f]{16}$/);
      expect({ rows: b.outputRows, checksum: b.checksum }).toEqual({
        rows: a.outputRows,
        checksum: a.checksum,
      });
      expect({ rows: c.outputRows, checksum: c.checksum }).toEqual({
        rows: a.outputRows,
        checksum: a.checksum,
      });
      expect(a.events).toBe(EVENTS);
      expect(a.cpuSeconds).toBeGreaterThan(0);
      expect(a.peakRssMb).toBeGreaterThan(0);
    }, 60_000);
  }

  // Latency mode dates rows against the paced source's clock: a latency is milliseconds since ingestion, never an
  // absolute time (which is what it printed when the planner bypassed the paced reader for the split scan).
  it('latency mode: q0 reports latencies relative to ingestion', async () => {
    for (const query of ['q0']) {
      const r = await runLatency(query, 20_000, 20_000, 7);
      expect(r.samples, query).toBeGreaterThan(0);
      expect(r.minMs, query).toBeGreaterThanOrEqual(-1);
      // Generous bounds for a loaded machine; an epoch time is ~1.8e12.
      expect(r.p50Ms, query).toBeLessThan(30_000);
      expect(r.maxMs, query).toBeLessThan(60_000);
    }
  }, 60_000);

  // q4's second aggregate (AVG per category) takes updates from the first (MAX per auction) over a hash
  // exchange: at parallelism 2 two subtasks' updates interleave by timing, so its changelog (checksum, row
  // count) differs from parallelism 1, as Flink's does; the table it leaves does not.
  it('q4: the final table is the same at parallelism 1 and 2 (--final-checksum)', async () => {
    const final = (parallelism: number) =>
      runQuery('q4', { events: EVENTS, parallelism, tps: 10_000, seed: 7, finalChecksum: true });
    const a = await final(1);
    const b = await final(2);
    expect(a.finalChecksum).toMatch(/^[0-9a-f]{16}$/);
    expect(b.finalChecksum).toBe(a.finalChecksum);
  }, 60_000);

  it('a different seed changes the random fields and so the checksum of q0, not its row count', async () => {
    const a = await run('q0', 1, 7);
    const b = await run('q0', 1, 8);
    expect(b.outputRows).toBe(a.outputRows);
    expect(b.checksum).not.toBe(a.checksum);
  });

  it('runs every listed query to the end on a small input', async () => {
    for (const q of QUERIES) {
      const r = await runQuery(q.name, { events: 3000, parallelism: 1, tps: 10_000, seed: 1 });
      expect(r.query).toBe(q.name);
      expect(r.outputRows).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);
});

describe('ChangelogChecksum', () => {
  const schema = Schema.of(['id', Types.BIGINT()], ['name', Types.STRING()], ['t', Types.TIMESTAMP(3)]);
  const rows = [
    [1n, 'a', 1000],
    [2n, 'bb', 2000],
    [3n, null, 3000],
    [2n ** 60n, 'wide', 4000],
  ];
  const sum = (...batches: RecordBatch[]): { rows: number; hex: string } => {
    const c = new ChangelogChecksum();
    for (const b of batches) c.add(b);
    return { rows: c.rows, hex: c.hex() };
  };
  const all = sum(batchFromRows(schema, rows));

  it('does not depend on order or batch boundaries', () => {
    expect(
      sum(
        batchFromRows(schema, [rows[3], rows[1]] as never),
        batchFromRows(schema, [rows[2], rows[0]] as never),
      ),
    ).toEqual(all);
  });

  it('changes when a sink drops, duplicates or alters a row, or changes its row kind', () => {
    expect(sum(batchFromRows(schema, rows.slice(1))).hex).not.toBe(all.hex);
    expect(sum(batchFromRows(schema, [...rows, rows[0] as never])).hex).not.toBe(all.hex);
    expect(sum(batchFromRows(schema, [[1n, 'A', 1000], ...rows.slice(1)] as never)).hex).not.toBe(all.hex);
    const retract = batchFromRows(schema, rows, [
      RowKind.DELETE,
      RowKind.INSERT,
      RowKind.INSERT,
      RowKind.INSERT,
    ]);
    expect(sum(retract).hex).not.toBe(all.hex);
    // Swapping two cells of a row is a different row.
    const s2 = Schema.of(['a', Types.BIGINT()], ['b', Types.BIGINT()]);
    expect(sum(batchFromRows(s2, [[1n, 2n]])).hex).not.toBe(sum(batchFromRows(s2, [[2n, 1n]])).hex);
  });

  it('with the final table: equal for every changelog that leaves the same rows, and the table of the inserts alone', () => {
    const final = (...batches: RecordBatch[]): string | null => {
      const c = new ChangelogChecksum(true);
      for (const b of batches) c.add(b);
      return c.finalHex();
    };
    const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;
    const table = final(batchFromRows(schema, [rows[1], [1n, 'a2', 1500]] as never));
    // Two interleavings of the same updates (as two upstream subtasks deliver them), and one with a delete.
    const first = batchFromRows(schema, [rows[0], rows[1], rows[0], [1n, 'a2', 1500]] as never, [I, I, UB, UA]);
    const second = batchFromRows(schema, [rows[0], rows[0], rows[1], [1n, 'a2', 1500]] as never, [I, UB, I, UA]);
    const viaDelete = batchFromRows(schema, [rows[2], rows[0], rows[1], rows[2], rows[0], [1n, 'a2', 1500]] as never, [I, I, I, D, D, I]);
    expect(final(first)).toBe(table);
    expect(final(second)).toBe(table);
    expect(final(viaDelete)).toBe(table);
    expect(sum(first).hex).not.toBe(sum(viaDelete).hex); // the changelog checksums differ
    expect(final(batchFromRows(schema, rows.slice(1)))).not.toBe(final(batchFromRows(schema, rows)));
    expect(new ChangelogChecksum().finalHex()).toBeNull();
  });

  it('hashes a BIGINT by value, whichever column layout (exact double or 64-bit) the batch used', () => {
    const s = Schema.of(['v', Types.BIGINT()]);
    const f64 = makeBatch(s, [{ kind: 'f64', values: new Float64Array([5, -7]), validity: null }], 2);
    const i64 = makeBatch(s, [{ kind: 'i64', values: new BigInt64Array([5n, -7n]), validity: null }], 2);
    expect(sum(i64)).toEqual(sum(f64));
  });
});
