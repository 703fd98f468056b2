// Optimizer measurements (not a test: run `npx tsx test/planner/optimizer-bench.mts`): projection/filter push-down
// on a wide CSV (the built-in factories vs a copy whose factories declare no push-down abilities) and mini-batch
// group aggregation (off vs on). Wall time, best of 3, on whatever else the machine is doing.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableEnvironment } from '../../index.js';
import {
  FactoryRegistry,
  defaultFactories,
  type DynamicTableFactory,
} from '../../planner/catalog/factory.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-bench-'));
const N = 300_000;
const lines: string[] = [];
for (let i = 0; i < N; i++)
  lines.push(
    `${i},${i % 100},name-${i % 977},${(i * 7) % 1000},descr-${i}-xxxxxxxxxxxxxxxx,${i % 3 === 0},${i * 1.5},${i % 13},tag-${i % 51},${i % 1000}`,
  );
writeFileSync(join(dir, 'wide.csv'), lines.join('\n') + '\n');

function registry(pushDown: boolean): FactoryRegistry {
  if (pushDown) return defaultFactories;
  const r = new FactoryRegistry();
  for (const id of defaultFactories.identifiers()) {
    const {
      supportsProjectionPushDown: _p,
      acceptsFilter: _f,
      ...rest
    } = defaultFactories.get(id) as DynamicTableFactory;
    r.register(rest);
  }
  return r;
}

async function run(pushDown: boolean, sql: string, config: Record<string, string> = {}): Promise<number> {
  const e = TableEnvironment.create({ factories: registry(pushDown), config });
  e.executeSql(
    `CREATE TABLE wide (id BIGINT, k INT, name STRING, price INT, descr STRING, flag BOOLEAN, amount DOUBLE, b INT, tag STRING, c INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'wide.csv')}', 'format' = 'csv')`,
  );
  const t0 = performance.now();
  const rows = await e.executeSql(sql).materialize();
  const ms = performance.now() - t0;
  if (rows.length === 0) throw new Error('no rows');
  return ms;
}

for (const sql of [
  'SELECT k, SUM(price) FROM wide GROUP BY k',
  'SELECT k, COUNT(*) FROM wide WHERE price < 100 GROUP BY k',
]) {
  for (const pd of [false, true]) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await run(pd, sql));
    console.log(
      `${pd ? 'push-down   ' : 'no push-down'}  best ${Math.min(...times).toFixed(0)} ms  (${N} rows)  ${sql}`,
    );
  }
}

const MB = {
  'table.exec.mini-batch.enabled': 'true',
  'table.exec.mini-batch.allow-latency': '1 s',
  'table.exec.mini-batch.size': '10000',
};
const agg = 'SELECT k, SUM(price) FROM wide GROUP BY k';
for (const [name, cfg] of [
  ['no mini-batch', {}],
  ['mini-batch   ', MB],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push(await run(true, agg, cfg));
  console.log(`${name}  best ${Math.min(...times).toFixed(0)} ms  (${N} rows, push-down on)  ${agg}`);
}
