// SQL jobs on the MiniCluster (execution.target = mini-cluster): the plan travels serialized (planner/physical/
// serialize.ts, one name and version per node as Flink's ExecNodeMetadata), each slot rebuilds the same job graph,
// and the results equal the in-thread run. A plan with a user-defined function cannot travel and runs in the
// client thread instead, with a warning, never an error.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { MiniCluster, TableEnvironment, Types, type Value } from '../../index.js';
import { deserializePlan, serializePlan } from '../../planner/physical/serialize.js';
import { defaultFactories } from '../../planner/catalog/factory.js';
import { planStatements } from '../../planner/planner.js';

process.env['FRESHET_TASK_SLOTS'] = '2';
const dir = mkdtempSync(join(tmpdir(), 'freshet-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines: string[] = [];
for (let i = 0; i < 3000; i++)
  lines.push(
    `${i % 17},${i},2024-01-01 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000`,
  );
writeFileSync(join(dir, 'events.csv'), lines.join('\n') + '\n');

const DDL = `CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'events.csv')}', 'format' = 'csv')`;

/** The final table of a changelog: +I/+U add a row, -U/-D remove one. Sorted for comparison. */
async function finalTable(target: 'local' | 'mini-cluster', sql: string): Promise<string[]> {
  const env = TableEnvironment.create({
    parallelism: 2,
    config: { 'execution.target': target, 'pipeline.auto-watermark-interval': '0' },
  });
  env.executeSql(DDL);
  const rows = new Map<string, number>();
  for await (const c of env.executeSql(sql).changes()) {
    const key = JSON.stringify(c.values, (_k, v: Value) => (typeof v === 'bigint' ? `${v}n` : v));
    rows.set(key, (rows.get(key) ?? 0) + (c.kind === '+I' || c.kind === '+U' ? 1 : -1));
  }
  return [...rows].flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
}

describe('SQL on the MiniCluster', () => {
  it('a keyed GROUP BY at parallelism 2 runs in two slot threads and equals the local run', async () => {
    const sql = 'SELECT k, COUNT(*) AS c, SUM(v) AS s, MAX(ts) AS m FROM events GROUP BY k';
    const local = await finalTable('local', sql);
    const remote = await finalTable('mini-cluster', sql);
    expect(local).toHaveLength(17);
    expect(remote).toEqual(local);
    const cluster = await MiniCluster.shared();
    const { jobs } = await cluster.jobs();
    const last = cluster.getJob((jobs[jobs.length - 1] as { jid: string }).jid);
    expect(last?.state).toBe('FINISHED');
    // Flink's default name for a query job, as SHOW JOBS in the session shows it, not the SQL text.
    expect((jobs[jobs.length - 1] as { name: string }).name).toBe('collect');
    const threads = new Set(last?.placement().map((p) => p.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
  }, 120_000);

  it('a tumbling window aggregate equals the local run (watermarks cross threads in order with the data)', async () => {
    const sql = `SELECT k, window_start, window_end, COUNT(*) AS c, SUM(v) AS s
      FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end`;
    const local = await finalTable('local', sql);
    const remote = await finalTable('mini-cluster', sql);
    expect(local.length).toBeGreaterThan(17);
    expect(remote).toEqual(local);
  }, 120_000);

  it('serializes a plan with a name and version per node, BIGINT literals exact, and reads it back', () => {
    const env = TableEnvironment.create({ parallelism: 2 });
    env.executeSql(DDL);
    const sql = 'SELECT k, v + 9007199254740993 AS big FROM events WHERE k > 3';
    const plan = env.bindQuery(env.sqlQuery(sql).query, sql);
    const opts = { factories: defaultFactories, sql, parallelism: 2, stateTtlMs: 0 };
    const { physical } = planStatements([plan], opts);
    const ser = serializePlan(physical, opts);
    const text = JSON.stringify(ser);
    expect(text).toContain('"$node":"StreamTableSourceScan","version":1');
    expect(text).toContain('"$bigint":"9007199254740993"');
    const back = deserializePlan(JSON.parse(text) as typeof ser);
    expect(JSON.stringify(serializePlan(back.roots, { ...back.options, factories: defaultFactories }))).toBe(
      text,
    );
  });

  it('a query with a user-defined function runs in the client thread, with a warning instead of an error', async () => {
    const env = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'mini-cluster' } });
    env.executeSql(DDL);
    env.createTemporarySystemFunction('twice', {
      eval: (x: Value) => (typeof x === 'number' ? x * 2 : null),
      resultType: Types.INT(),
    } as never);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const rows: Value[][] = [];
      for await (const c of env.executeSql('SELECT twice(k) FROM events WHERE v < 3').changes())
        rows.push(c.values);
      expect(rows).toEqual([[0], [2], [4]]);
      await new Promise((r) => setImmediate(r));
      expect(
        warnings.some((w) => w.includes('not on the MiniCluster') && w.includes('user-defined function')),
      ).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  }, 60_000);
});
