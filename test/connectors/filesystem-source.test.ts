// The filesystem connector as a split source: path as file, directory tree or glob; PARTITIONED BY tables written
// into `k=v/` directories and read back with the partition columns from the path; parquet through hyparquet;
// continuous monitoring (source.monitor-interval); parallel readers; the WATERMARK pushed into the scan (Flink's
// SupportsWatermarkPushDown: EXPLAIN shows watermark=[...] on the TableSourceScan, no WatermarkAssigner).
// Flink reference: docs/connectors/table/filesystem ("Partition Files", "Rolling Policy", "Source", "File Formats").
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { skippedRecords } from '../../connectors/index.js';
import { fixtureDir } from '../support/cli.js';

function tree(files: Record<string, string>): string {
  const dir = fixtureDir({});
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const sorted = (rows: unknown[][]): string[] =>
  rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();

describe('filesystem source paths', () => {
  const dir = tree({
    'a.csv': '1,x\n',
    'sub/b.csv': '2,y\n',
    'sub/deeper/c.txt': '3,z\n',
    '.hidden.csv': '9,h\n',
    _SUCCESS: '',
  });

  it('reads a directory recursively, leaving hidden files out', async () => {
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`,
    );
    expect(sorted(await env.executeSql('SELECT id, s FROM t').materialize())).toEqual(
      sorted([
        [1, 'x'],
        [2, 'y'],
        [3, 'z'],
      ]),
    );
  });

  it('reads the files a glob matches', async () => {
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/**/*.csv', 'format' = 'csv')`,
    );
    expect(sorted(await env.executeSql('SELECT id, s FROM t').materialize())).toEqual(
      sorted([
        [1, 'x'],
        [2, 'y'],
      ]),
    );
  });

  it('reads raw lines into one STRING column', async () => {
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE r (line STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/sub/deeper/c.txt', 'format' = 'raw')`,
    );
    expect(await env.executeSql('SELECT line FROM r').materialize()).toEqual([['3,z']]);
  });

  it('splits files over parallel readers at parallelism.default', async () => {
    const many = tree(
      Object.fromEntries(
        Array.from({ length: 6 }, (_x, i) => [`f${i}.csv`, `${i},${i * 10}\n${i + 100},${i}\n`]),
      ),
    );
    const env = TableEnvironment.create({ parallelism: 3 });
    env.executeSql(
      `CREATE TABLE t (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = '${many}', 'format' = 'csv')`,
    );
    expect(env.explainSql('SELECT a FROM t')).toMatch(/StreamTableSourceScan.*\[parallelism=3\]/);
    const rows = await env.executeSql('SELECT a, b FROM t').materialize();
    expect(rows).toHaveLength(12);
    expect(sorted(rows)).toEqual(
      sorted(
        Array.from({ length: 6 }, (_x, i) => [
          [i, i * 10],
          [i + 100, i],
        ]).flat(),
      ),
    );
  });
});

describe('partitioned tables and parquet', () => {
  for (const format of ['csv', 'json', 'parquet'] as const) {
    it(`PARTITIONED BY writes k=v/ directories without the partition column and reads it back (${format})`, async () => {
      const dir = join(fixtureDir({}), 'out');
      const env = TableEnvironment.create();
      env.executeSql(
        `CREATE TABLE p (id BIGINT, name STRING, price DOUBLE, ts TIMESTAMP(3), dt STRING) PARTITIONED BY (dt) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}')`,
      );
      await env
        .executeSql(
          "INSERT INTO p VALUES (1, 'a', 1.5, TIMESTAMP '2024-01-01 10:00:00.123', '2024-01-01'), (2, NULL, 2.5, NULL, '2024-01-02'), (3, 'c', -1.0, TIMESTAMP '1970-01-01 00:00:00', NULL)",
        )
        .await();
      expect(readdirSync(dir).sort()).toEqual(['dt=2024-01-01', 'dt=2024-01-02', 'dt=__DEFAULT_PARTITION__']);
      expect(
        readdirSync(join(dir, 'dt=2024-01-01')).every(
          (f) => f.startsWith('part-') && f.endsWith(`.${format}`),
        ),
      ).toBe(true);
      expect(sorted(await env.executeSql('SELECT id, name, price, ts, dt FROM p').materialize())).toEqual(
        sorted([
          [1n, 'a', 1.5, Date.UTC(2024, 0, 1, 10, 0, 0, 123), '2024-01-01'],
          [2n, null, 2.5, null, '2024-01-02'],
          [3n, 'c', -1, 0, null],
        ]),
      );
      // Projection and filters pushed into the source still see the partition column.
      expect(await env.executeSql("SELECT id FROM p WHERE dt = '2024-01-02'").materialize()).toEqual([[2n]]);
    });
  }

  it('refuses PARTITIONED BY for connectors that do not partition, and unknown partition keys', () => {
    const env = TableEnvironment.create();
    expect(() =>
      env.executeSql("CREATE TABLE k (a INT, b STRING) PARTITIONED BY (b) WITH ('connector' = 'datagen')"),
    ).toThrow(/PARTITIONED BY for connector 'datagen'/);
    expect(() =>
      env.executeSql(
        "CREATE TABLE k (a INT) PARTITIONED BY (zz) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')",
      ),
    ).toThrow(/partition key 'zz'/);
  });
});

describe('bad records', () => {
  it('fail with file:line and the field by default; with csv.ignore-parse-errors are skipped and counted', async () => {
    const dir = tree({ 'a.csv': '1,x\nzz,y\n3,z\n' });
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE strict (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    await expect(env.executeSql('SELECT id, s FROM strict').materialize()).rejects.toThrow(/a\.csv:2.*field 'id'/);
    env.executeSql(`CREATE TABLE lenient (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true')`);
    const before = skippedRecords('default_catalog.default_database.lenient');
    expect(await env.executeSql('SELECT id, s FROM lenient').materialize()).toEqual([
      [1, 'x'],
      [3, 'z'],
    ]);
    expect(skippedRecords('default_catalog.default_database.lenient') - before).toBe(1);
  });
});

describe('continuous monitoring', () => {
  it('with source.monitor-interval reads files added later and does not end', async () => {
    const dir = tree({ 'a.csv': '1\n' });
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE m (id INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'source.monitor-interval' = '50 ms')`,
    );
    const result = env.executeSql('SELECT id FROM m');
    const seen: number[] = [];
    setTimeout(() => writeFileSync(join(dir, 'b.csv'), '2\n3\n'), 200);
    const timeout = setTimeout(() => void result.cancel?.(), 10_000);
    for await (const row of result.collect()) {
      seen.push(row['id'] as number);
      if (seen.length === 3) break;
    }
    clearTimeout(timeout);
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('watermark push-down', () => {
  it('EXPLAIN shows the watermark on the scan and no WatermarkAssigner; windows fire from it', async () => {
    const dir = tree({ 'a.csv': '1,2024-01-01 00:00:01\n1,2024-01-01 00:00:07\n2,2024-01-01 00:00:12\n' });
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE e (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`,
    );
    const sql =
      "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end";
    const plan = env.explainSql(sql);
    expect(plan).toContain(
      'StreamTableSourceScan(table=[[default_catalog.default_database.e, project=[ts], watermark=[-(ts, +0 00:00:01.000)]]]',
    );
    expect(plan.slice(plan.indexOf('== Optimized Physical Plan =='))).not.toContain('WatermarkAssigner');
    expect(sorted(await env.executeSql(sql).materialize())).toEqual(
      sorted([
        [Date.UTC(2024, 0, 1), 2n],
        [Date.UTC(2024, 0, 1, 0, 0, 10), 1n],
      ]),
    );
  });
});
