// The datagen connector: bounded by number-of-rows or a sequence, values within min/max, reproducible with a
// seed, nulls at the requested rate, options checked at CREATE TABLE time, and an unbounded source that stops
// when its query is cancelled.
import { describe, expect, it } from 'vitest';
import { TableEnvironment, SqlError } from '../../../index.js';

function env(ddl: string): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(ddl);
  return e;
}

describe('datagen', () => {
  it('ends after number-of-rows, with values inside min/max', async () => {
    const e = env(`CREATE TABLE g (a INT, b BIGINT, s STRING, d DOUBLE) WITH (
      'connector' = 'datagen', 'rows-per-second' = '0', 'number-of-rows' = '2500', 'seed' = '7',
      'fields.a.min' = '1', 'fields.a.max' = '6', 'fields.b.min' = '-5', 'fields.b.max' = '5',
      'fields.s.length' = '4', 'fields.d.min' = '0', 'fields.d.max' = '1')`);
    const rows = await e.executeSql('SELECT a, b, s, d FROM g').materialize();
    expect(rows).toHaveLength(2500);
    const as = new Set(rows.map((r) => r[0]));
    expect([...as].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [a, b, s, d] of rows) {
      expect(a).toBeGreaterThanOrEqual(1);
      expect(Number(b)).toBeGreaterThanOrEqual(-5);
      expect(Number(b)).toBeLessThanOrEqual(5);
      expect(s).toMatch(/^[A-Za-z0-9]{4}$/);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1);
    }
  });

  it('a sequence field bounds the source and counts from start to end', async () => {
    const e = env(`CREATE TABLE g (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
      'fields.id.kind' = 'sequence', 'fields.id.start' = '10', 'fields.id.end' = '19')`);
    const rows = await e.executeSql('SELECT id FROM g WHERE id > 14').materialize();
    expect(rows).toEqual([[15n], [16n], [17n], [18n], [19n]]);
  });

  it('is reproducible with a seed and produces nulls at the null rate', async () => {
    const ddl = `CREATE TABLE g (a INT) WITH ('connector' = 'datagen', 'rows-per-second' = '0', 'number-of-rows' = '4000',
      'seed' = '42', 'fields.a.null-rate' = '0.25', 'fields.a.min' = '0', 'fields.a.max' = '1000')`;
    const first = await env(ddl).executeSql('SELECT a FROM g').materialize();
    const second = await env(ddl).executeSql('SELECT a FROM g').materialize();
    expect(second).toEqual(first);
    const nulls = first.filter((r) => r[0] === null).length / first.length;
    expect(nulls).toBeGreaterThan(0.2);
    expect(nulls).toBeLessThan(0.3);
  });

  it('paces rows to rows-per-second', async () => {
    const e = env(`CREATE TABLE g (a INT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'number-of-rows' = '60')`);
    const t0 = Date.now();
    const rows = await e.executeSql('SELECT a FROM g').materialize();
    expect(rows).toHaveLength(60);
    // 60 rows at 200/s take at least ~0.25 s after the first batch.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
  });

  it('runs unbounded until the query is cancelled', async () => {
    const e = env(`CREATE TABLE g (a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '1000')`);
    const result = e.executeSql('SELECT a, ts FROM g');
    let n = 0;
    for await (const c of result.changes()) {
      expect(c.kind).toBe('+I');
      if (++n === 250) result.cancel();
    }
    expect(n).toBeGreaterThanOrEqual(250);
  });

  it('rejects bad options at CREATE TABLE time, naming them', () => {
    const bad = (opts: string, cols = 'a INT'): string => {
      try {
        env(`CREATE TABLE g (${cols}) WITH ('connector' = 'datagen', ${opts})`);
      } catch (e) {
        if (e instanceof SqlError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(bad("'fields.b.kind' = 'random'")).toBe("option 'fields.b.kind' names no column of the table");
    expect(bad("'fields.a.kind' = 'walk'")).toBe("option 'fields.a.kind' must be 'random' or 'sequence', got 'walk'");
    expect(bad("'fields.a.kind' = 'sequence', 'fields.a.start' = '1'")).toBe("datagen field 'a': option 'fields.a.end' is required");
    expect(bad("'rows-per-second' = 'fast'")).toBe("option 'rows-per-second' must be a non-negative number, got 'fast'");
    expect(bad("'fields.a.colour' = 'red'")).toMatch(/^unsupported option 'fields.a.colour'/);
    expect(bad("'rows-per-secnd' = '5'")).toMatch(/^unsupported option 'rows-per-secnd' for connector 'datagen'/);
  });
});
