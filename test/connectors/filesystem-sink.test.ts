// The filesystem sink: INSERT INTO writes part files that the filesystem source reads back to the same rows
// (csv and json), rolls files by size, keeps in-progress files hidden, and rejects updating input.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { fixtureDir } from '../support/cli.js';

const GEN = `CREATE TABLE g (id BIGINT, name STRING, price DECIMAL(10, 2), ts TIMESTAMP(3)) WITH ('connector' = 'datagen',
  'rows-per-second' = '0', 'seed' = '3', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '500',
  'fields.name.length' = '6', 'fields.name.null-rate' = '0.1', 'fields.price.min' = '0', 'fields.price.max' = '100')`;

describe('filesystem sink', () => {
  for (const format of ['csv', 'json'] as const) {
    it(`round-trips rows through ${format} part files`, async () => {
      const dir = join(fixtureDir({}), 'out');
      const env = TableEnvironment.create();
      env.executeSql(GEN);
      env.executeSql(`CREATE TABLE out (id BIGINT, name STRING, price DECIMAL(10, 2), ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}')`);
      await env.executeSql('INSERT INTO out SELECT id, name, price, ts FROM g').await();
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((f) => f.startsWith('part-') && f.endsWith(`.${format}`))).toBe(true);
      // datagen's timestamps follow the wall clock, so compare the deterministic columns here...
      const expected = await env.executeSql('SELECT id, name, price FROM g').materialize();
      const back = await env.executeSql('SELECT id, name, price FROM out').materialize();
      expect(back).toEqual(expected);
      expect(back.some((r) => r[1] === null)).toBe(true);
      // ...and exact values of every awkward kind through a second table.
      const dir2 = join(fixtureDir({}), 'out2');
      env.executeSql(`CREATE TABLE o2 (s STRING, d DECIMAL(10, 2), ts TIMESTAMP(3), b BOOLEAN) WITH ('connector' = 'filesystem', 'path' = '${dir2}', 'format' = '${format}')`);
      await env.executeSql("INSERT INTO o2 VALUES ('a,\"b\"', 1.5, TIMESTAMP '2024-02-29 23:59:59.123', TRUE), ('', NULL, NULL, FALSE), (NULL, -0.01, TIMESTAMP '1970-01-01 00:00:00', NULL)").await();
      expect(await env.executeSql('SELECT * FROM o2').materialize()).toEqual([
        ['a,"b"', 150n, Date.UTC(2024, 1, 29, 23, 59, 59, 123), true],
        ['', null, null, false],
        [null, -1n, 0, null],
      ]);
    });
  }

  it('rolls part files by size and commits each one', async () => {
    const dir = join(fixtureDir({}), 'out');
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql(`CREATE TABLE out (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'sink.rolling-policy.file-size' = '1kb')`);
    await env.executeSql('INSERT INTO out SELECT id FROM g').await();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(1);
    expect(files.some((f) => f.startsWith('.'))).toBe(false);
    const ids = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')).map(Number).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });

  it('checks its options', () => {
    const env = TableEnvironment.create();
    expect(() => env.executeSql("CREATE TABLE out (id BIGINT) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'sink.rolling-policy.file-size' = 'big')")).toThrow(
      "option 'sink.rolling-policy.file-size' must be a number with a unit (b, kb, mb, gb), got 'big'",
    );
  });
});
