// User functions on the cluster's slots: a function made by CREATE FUNCTION ... AS 'module#Export' travels in the
// serialized plan as its module URL and export name, and every slot (MiniCluster worker thread, or TaskManager
// process of the standalone cluster) loads the module again, as Flink ships a UDF's class name and loads the class
// from the user jar in each task (docs "User-defined Functions"; "Debugging Classloading": dynamic user code is
// loaded per job in the TaskManagers; a class it cannot find fails the task with StreamTaskException "Cannot load
// user class"). A function registered as an instance through the Table API holds code that cannot be shipped:
// its job still runs in the client thread (MiniCluster) or is refused with the reason (standalone). A module the
// cluster cannot load fails the job with an error naming the module and the host.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScalarFunction, TableEnvironment, Types } from '../../index.js';
import {
  distBuilt,
  startJobManager,
  startTaskManager,
  stopAll,
  writeFunctionBundle,
  type JobManagerProc,
} from './standalone-harness.js';

process.env['FRESHET_TASK_SLOTS'] ??= '2';

let dir = '';
let udfs = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-udf-slots-'));
  writeFunctionBundle(dir);
  udfs = join(dir, 'udfs.mjs');
  writeFileSync(
    udfs,
    `import { AggregateFunction, ScalarFunction, TableFunction, Types } from './freshet.mjs';
import { threadId } from 'node:worker_threads';
export class Tag extends ScalarFunction {
  resultType = Types.STRING();
  eval(x) { return x === null ? null : 'v' + x; }
}
/** Where the call ran: the thread (0 is a process's main thread) and the process. */
export class Where extends ScalarFunction {
  resultType = Types.STRING();
  eval(_x) { return threadId + '@' + process.pid; }
}
export class Digits extends TableFunction {
  resultType = Types.ROW([{ name: 'd', type: Types.INT() }]);
  eval(x) { if (x !== null) for (const c of String(x)) this.collect([Number(c)]); }
}
export class SumSquares extends AggregateFunction {
  resultType = Types.BIGINT();
  createAccumulator() { return { s: 0n }; }
  accumulate(acc, x) { if (x !== null) acc.s += BigInt(x) * BigInt(x); }
  getValue(acc) { return acc.s; }
}
export class Boom extends ScalarFunction {
  resultType = Types.INT();
  eval(x) { if (x === 7) throw new Error('boom at 7 in pid ' + process.pid); return x; }
}
`,
  );
  writeFileSync(
    join(dir, 'typed.mts'),
    `import { ScalarFunction, Types } from './freshet.mjs';
export class Twice extends ScalarFunction {
  resultType = Types.INT();
  eval(x: number | null): number | null { return x === null ? null : x * 2; }
}
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALUES = `(VALUES ${Array.from({ length: 40 }, (_, i) => `(${i + 1}, ${i % 4})`).join(', ')}) AS t(x, k)`;
const QUERY = `SELECT k, COUNT(*) AS n, SUM_SQUARES(x) AS sq, MAX(TAG(x)) AS t, SUM(TWICE(CAST(d AS INT))) AS dd
  FROM ${VALUES}, LATERAL TABLE(DIGITS(x)) GROUP BY k`;

function createFunctions(env: TableEnvironment): void {
  const url = pathToFileURL(udfs).href;
  env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION TAG AS '${url}#Tag'`);
  env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION WHERE_AM_I AS '${url}#Where'`);
  env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION DIGITS AS '${url}#Digits'`);
  env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION SUM_SQUARES AS '${url}#SumSquares'`);
  env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION BOOM AS '${url}#Boom'`);
  env.executeSql(
    `CREATE TEMPORARY SYSTEM FUNCTION TWICE AS '${pathToFileURL(join(dir, 'typed.mts')).href}#Twice' LANGUAGE TYPESCRIPT`,
  );
}

async function table(env: TableEnvironment, sql: string): Promise<string[]> {
  return (await env.executeSql(sql).materialize()).map((r) => r.map(String).join(',')).sort();
}

function collectWarnings(): { codes: string[]; stop: () => void } {
  const codes: string[] = [];
  const on = (w: Error & { code?: string }): void => void codes.push(`${w.code}: ${w.message}`);
  process.on('warning', on);
  return { codes, stop: () => process.off('warning', on) };
}

describe('user functions on the MiniCluster', () => {
  it('scalar, table and aggregate functions from CREATE FUNCTION (JavaScript and TypeScript) run in the slots', async () => {
    const local = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'local' } });
    createFunctions(local);
    const want = await table(local, QUERY);
    expect(want).toHaveLength(4);

    const warnings = collectWarnings();
    try {
      const remote = TableEnvironment.create({
        parallelism: 2,
        config: { 'execution.target': 'mini-cluster' },
      });
      createFunctions(remote);
      expect(await table(remote, QUERY)).toEqual(want);
      // The calls ran in slot threads (threadId > 0), not in this test's thread.
      const where = await table(remote, `SELECT DISTINCT WHERE_AM_I(x) FROM ${VALUES}`);
      expect(where.every((w) => Number(w.split('@')[0]) > 0)).toBe(true);
    } finally {
      warnings.stop();
    }
    expect(warnings.codes.filter((w) => w.startsWith('FRESHET_LOCAL_EXECUTION'))).toEqual([]);
  }, 120_000);

  it('an exception thrown inside the function fails the job on the slot with its message', async () => {
    const env = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'mini-cluster' } });
    createFunctions(env);
    await expect(table(env, `SELECT BOOM(x) FROM ${VALUES}`)).rejects.toThrow(/boom at 7 in pid \d+/);
  }, 120_000);

  it('a function registered as an instance through the Table API still runs in the client thread, saying why', async () => {
    class Inline extends ScalarFunction<number> {
      readonly resultType = Types.INT();
      eval(x: number): number {
        return x + 1;
      }
    }
    const warnings = collectWarnings();
    try {
      const env = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'mini-cluster' } });
      env.createTemporarySystemFunction('INLINE_INC', new Inline());
      expect(await table(env, `SELECT INLINE_INC(x) FROM (VALUES (1), (2)) AS t(x)`)).toEqual(['2', '3']);
      await new Promise((r) => setImmediate(r));
    } finally {
      warnings.stop();
    }
    expect(warnings.codes.find((w) => w.startsWith('FRESHET_LOCAL_EXECUTION'))).toMatch(
      /user-defined function 'INLINE_INC', registered as an instance through the Table API: its code cannot be shipped/,
    );
  }, 120_000);
});

describe.skipIf(!distBuilt())('user functions on the standalone cluster', () => {
  let jm: JobManagerProc;

  beforeAll(async () => {
    jm = await startJobManager();
    await startTaskManager(jm, 2);
  }, 120_000);
  afterAll(() => stopAll(), 30_000);

  it('run in the TaskManager process and give the local result', async () => {
    const local = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'local' } });
    createFunctions(local);
    const want = await table(local, QUERY);
    const env = TableEnvironment.create({ cluster: jm.restAddress, parallelism: 2 });
    createFunctions(env);
    expect(await table(env, QUERY)).toEqual(want);
    const where = await table(env, `SELECT DISTINCT WHERE_AM_I(x) FROM ${VALUES}`);
    expect(where.map((w) => Number(w.split('@')[1])).every((pid) => pid !== process.pid)).toBe(true);
  }, 120_000);

  it('a module the cluster cannot load fails the job naming the module and the host', async () => {
    const gone = join(dir, 'gone.mjs');
    writeFileSync(
      gone,
      `import { ScalarFunction, Types } from './freshet.mjs';
export class Gone extends ScalarFunction { resultType = Types.INT(); eval(x) { return x; } }
`,
    );
    const env = TableEnvironment.create({ cluster: jm.restAddress, parallelism: 2 });
    env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION GONE AS '${pathToFileURL(gone).href}#Gone'`);
    // Loaded at CREATE time here; removed before the job reaches the cluster, as on a host without the file.
    unlinkSync(gone);
    await expect(table(env, `SELECT GONE(x) FROM ${VALUES}`)).rejects.toThrow(
      new RegExp(
        `user function 'GONE' \\(module ${pathToFileURL(gone).href}\\) cannot be loaded on host \\S+ \\(pid \\d+\\)`,
      ),
    );
  }, 120_000);
});
