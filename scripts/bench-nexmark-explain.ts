// Prints the plan (EXPLAIN) of one Nexmark query of the benchmark, as it runs there: the reference DDL, the views
// and the query's blackhole sink. `npx tsx scripts/bench-nexmark-explain.ts q5`
import { TableEnvironment } from '../index.js';
import { QUERIES, sourceDdl, VIEWS } from './bench-nexmark-queries.js';

const name = process.argv[2] ?? 'q0';
const q = QUERIES.find((x) => x.name === name);
if (q === undefined) throw new Error(`unknown Nexmark query '${name}'`);
const env = TableEnvironment.create({ parallelism: Number(process.argv[3] ?? 1) });
env.executeSql(sourceDdl({ events: 1000, tps: 100_000, paced: false, baseTime: 0, seed: 42 }));
for (const v of VIEWS) env.executeSql(v);
for (const s of q.setup) env.executeSql(s);
env.executeSql(`CREATE TABLE nexmark_${q.name} (${q.sinkColumns}) WITH ('connector' = 'blackhole')`);
for await (const row of env.executeSql(`EXPLAIN ${q.insert}`).collect()) console.log(String(row.result));
