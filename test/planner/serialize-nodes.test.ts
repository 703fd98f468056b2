// Physical plans of MATCH_RECOGNIZE, lookup joins, the upsert materializer, UNNEST and mini-batch survive
// serialization (issue #7: they used to be missing from serialize.ts's node list): each plan written, read back
// and written again gives the same text with a name and version per node, and the read plan lowers to a job
// graph. MATCH_RECOGNIZE and the lookup join also run on the MiniCluster and equal the run in this thread.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment, type Value } from '../../index.js';
import { parseStatements } from '../../parser/index.js';
import { StatementBinder } from '../../planner/binder/bind-statement.js';
import type { Catalog } from '../../planner/catalog/catalog.js';
import { defaultFactories, type FactoryRegistry } from '../../planner/catalog/factory.js';
import { lowerJob, type LoweringOptions } from '../../planner/physical/lower.js';
import { deserializePlan, serializePlan } from '../../planner/physical/serialize.js';
import { planStatements } from '../../planner/planner.js';

process.env['FRESHET_TASK_SLOTS'] = '2';
const dir = mkdtempSync(join(tmpdir(), 'freshet-serialize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines: string[] = [];
for (let i = 0; i < 400; i++)
  lines.push(
    `${i % 5},${(i * 37) % 11},2024-01-01 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000`,
  );
writeFileSync(join(dir, 'events.csv'), lines.join('\n') + '\n');
writeFileSync(join(dir, 'dim.csv'), '0,zero\n1,one\n2,two\n3,three\n');

const DDL = [
  `CREATE TABLE events (k INT, v INT, ts TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'events.csv')}', 'format' = 'csv')`,
  `CREATE TABLE dim (k INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'dim.csv')}', 'format' = 'csv')`,
  "CREATE TABLE sink (k INT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'blackhole')",
];

const MATCH = `SELECT * FROM events MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.v AS a, LAST(B.v) AS b, MATCH_ROWTIME() AS t
  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+ C) DEFINE A AS A.v > 5, B AS B.v < A.v, C AS C.v >= LAST(B.v))`;
const LOOKUP = 'SELECT e.v, d.name FROM events AS e JOIN dim FOR SYSTEM_TIME AS OF e.pt AS d ON e.k = d.k';

const CASES: [string, string, string, Record<string, string>][] = [
  ['StreamMatch', MATCH, 'query', {}],
  ['StreamLookupJoin', LOOKUP, 'query', {}],
  [
    'StreamSinkUpsertMaterializer',
    'INSERT INTO sink SELECT v, COUNT(*) FROM events GROUP BY v',
    'insert',
    { 'table.exec.sink.upsert-materialize': 'FORCE' },
  ],
  ['StreamCorrelate', 'SELECT k, x FROM events CROSS JOIN UNNEST(ARRAY[k, v]) AS u(x)', 'query', {}],
  [
    'StreamMiniBatchAssigner',
    'SELECT k, COUNT(*) FROM events GROUP BY k',
    'query',
    {
      'table.exec.mini-batch.enabled': 'true',
      'table.exec.mini-batch.allow-latency': '1 s',
      'table.exec.mini-batch.size': '100',
    },
  ],
];

describe('serialized physical plans of the nodes added for #7', () => {
  it.each(CASES)('%s round-trips and lowers', (kind, sql, what, config) => {
    const env = TableEnvironment.create({ parallelism: 2, config });
    for (const d of DDL) env.executeSql(d);
    // The session's own lowering options (its configuration: mini-batch, upsert-materialize), as executeSql uses.
    const internals = env as unknown as {
      lowering(sql: string): LoweringOptions;
      catalog: Catalog;
      factories: FactoryRegistry;
    };
    const [statement] = parseStatements(sql);
    const plan =
      what === 'insert' && statement?.kind === 'insert'
        ? new StatementBinder(internals.catalog, internals.factories, sql).insert(statement)
        : env.bindQuery(env.sqlQuery(sql).query, sql);
    const opts = internals.lowering(sql);
    const { physical } = planStatements([plan], opts);
    const ser = serializePlan(physical, opts);
    const text = JSON.stringify(ser);
    expect(text).toContain(`"$node":"${kind}","version":1`);
    const back = deserializePlan(JSON.parse(text) as typeof ser);
    expect(JSON.stringify(serializePlan(back.roots, { ...back.options, factories: defaultFactories }))).toBe(
      text,
    );
    const graph = lowerJob(back.roots, { ...back.options, factories: defaultFactories }).jobGraph(null);
    expect(graph.vertices.length).toBeGreaterThan(0);
  });
});

async function finalTable(
  target: 'local' | 'mini-cluster',
  sql: string,
  warnings: string[],
): Promise<string[]> {
  const env = TableEnvironment.create({
    parallelism: 2,
    config: { 'execution.target': target, 'pipeline.auto-watermark-interval': '0' },
  });
  for (const d of DDL) env.executeSql(d);
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  const rows = new Map<string, number>();
  try {
    for await (const c of env.executeSql(sql).changes()) {
      const key = JSON.stringify(c.values as Value[]);
      rows.set(key, (rows.get(key) ?? 0) + (c.kind === '+I' || c.kind === '+U' ? 1 : -1));
    }
  } finally {
    process.off('warning', onWarning);
  }
  return [...rows].flatMap(([k, n]) => Array<string>(n).fill(k)).sort();
}

describe('on the MiniCluster (no fallback to the client thread)', () => {
  it.each([
    ['MATCH_RECOGNIZE', MATCH],
    ['lookup join', LOOKUP],
  ])(
    '%s equals the local run',
    async (_name, sql) => {
      const warnings: string[] = [];
      const local = await finalTable('local', sql, warnings);
      const remote = await finalTable('mini-cluster', sql, warnings);
      expect(local.length).toBeGreaterThan(0);
      expect(remote).toEqual(local);
      expect(warnings.filter((w) => w.includes('not on the MiniCluster'))).toEqual([]);
    },
    180_000,
  );
});
