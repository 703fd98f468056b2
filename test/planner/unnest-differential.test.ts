// UNNEST against DuckDB as the oracle: the same SQL text (both accept `CROSS JOIN UNNEST(t.arr) [WITH
// ORDINALITY] AS u(...)` and `LEFT JOIN UNNEST(...) ON TRUE`) over the same seeded random rows — arrays that
// are NULL, empty, or hold NULL elements — must give the same multiset of rows. Flink's semantics (joins page,
// "Array Expansion"; UnnestRowsFunction) and the SQL standard's agree on all of these cases.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { TableEnvironment, type Value } from '../../index.js';

/** Seeded rows: id, arr (NULL 10%, else 0..4 elements, an element NULL 15%), grp. */
function dataset(seed: number, n: number): { id: number; arr: (number | null)[] | null; grp: string }[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const rows = [];
  for (let id = 1; id <= n; id++) {
    const arr =
      rnd() < 0.1
        ? null
        : Array.from({ length: Math.floor(rnd() * 5) }, () =>
            rnd() < 0.15 ? null : Math.floor(rnd() * 100) - 20,
          );
    rows.push({ id, arr, grp: ['a', 'b', 'c'][Math.floor(rnd() * 3)] as string });
  }
  return rows;
}

const QUERIES = [
  'SELECT id, u.v FROM t CROSS JOIN UNNEST(t.arr) AS u(v)',
  'SELECT id, u.v, u.o FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u(v, o)',
  'SELECT id, u.v FROM t LEFT JOIN UNNEST(t.arr) AS u(v) ON TRUE',
  'SELECT grp, COUNT(*), COUNT(u.v), SUM(u.v), MAX(u.v) FROM t CROSS JOIN UNNEST(t.arr) AS u(v) GROUP BY grp',
  'SELECT id, u.v * 2 AS w FROM t CROSS JOIN UNNEST(t.arr) AS u(v) WHERE u.v > 10 AND id % 2 = 0',
  'SELECT u.v, COUNT(*) FROM t LEFT JOIN UNNEST(t.arr) AS u(v) ON TRUE GROUP BY u.v',
];

const norm = (r: readonly unknown[]): string =>
  JSON.stringify(r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

describe('UNNEST differential against DuckDB', () => {
  for (const seed of [1, 7]) {
    it(`seed ${seed}: ${QUERIES.length} queries agree`, async () => {
      const data = dataset(seed, 150);
      const arrSql = (a: (number | null)[] | null, duck: boolean): string =>
        a === null
          ? 'CAST(NULL AS ARRAY<INT>)'.replace('ARRAY<INT>', duck ? 'INT[]' : 'ARRAY<INT>')
          : a.length === 0
            ? duck
              ? 'CAST([] AS INT[])'
              : 'CAST(ARRAY[] AS ARRAY<INT>)'
            : `${duck ? '' : 'ARRAY'}[${a.map((x) => (x === null ? 'CAST(NULL AS INT)' : String(x))).join(', ')}]`;
      const values = (duck: boolean): string =>
        data.map((r) => `(${r.id}, ${arrSql(r.arr, duck)}, '${r.grp}')`).join(', ');
      const env = TableEnvironment.create();
      env.executeSql(`CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES ${values(false)}) AS t(id, arr, grp)`);
      const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
      await duck.run(`CREATE TABLE t AS SELECT * FROM (VALUES ${values(true)}) AS t(id, arr, grp)`);
      for (const q of QUERIES) {
        const got = ((await env.executeSql(q).materialize()) as Value[][]).map(norm).sort();
        const want = (await duck.runAndReadAll(q)).getRows().map(norm).sort();
        expect(got, q).toEqual(want);
        expect(want.length, `${q} returns rows`).toBeGreaterThan(0);
      }
      duck.closeSync();
    });
  }
});
