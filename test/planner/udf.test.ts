// User-defined table and aggregate functions from SQL, LATERAL TABLE and UNNEST end to end. Semantics follow
// Flink's docs: docs/dev/table/functions/udfs ("Table Functions": LATERAL TABLE joins, LEFT JOIN ... ON TRUE,
// renaming with AS T(a, b); "Aggregate Functions": createAccumulator/accumulate/retract/merge/getValue, retract
// required on updating inputs, merge for window aggregation) and docs/dev/table/sql/queries/joins ("Array
// Expansion": CROSS JOIN UNNEST, WITH ORDINALITY).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AggregateFunction,
  DataTypes,
  SqlError,
  TableEnvironment,
  TableFunction,
  Types,
  type Value,
} from '../../index.js';

/** Flink's docs example SplitFunction: one (word, length) row per space-separated word. */
class SplitFunction extends TableFunction<[string, number]> {
  readonly resultType = DataTypes.ROW(
    DataTypes.FIELD('word', DataTypes.STRING()),
    DataTypes.FIELD('length', DataTypes.INT()),
  );
  eval(str: string | null): void {
    if (str === null) return;
    for (const s of str.split(' ')) this.collect([s, s.length]);
  }
}

/** An atomic result: one column named f0 (Flink's name for a table function's atomic result). */
class Repeat extends TableFunction<[string]> {
  readonly resultType = Types.STRING();
  readonly argTypes = [Types.STRING(), Types.INT()];
  eval(s: string | null, n: number | null): void {
    for (let i = 0; i < (n ?? 0); i++) this.collect([s ?? '']);
  }
}

interface WeightedAvgAcc {
  sum: number;
  count: number;
}

/** Flink's docs example WeightedAvg (accumulate, retract, merge). */
class WeightedAvg extends AggregateFunction<bigint | null, WeightedAvgAcc> {
  readonly resultType = Types.BIGINT();
  readonly accumulatorType = DataTypes.ROW(
    DataTypes.FIELD('sum', DataTypes.BIGINT()),
    DataTypes.FIELD('count', DataTypes.INT()),
  );
  createAccumulator(): WeightedAvgAcc {
    return { sum: 0, count: 0 };
  }
  accumulate(acc: WeightedAvgAcc, value: bigint | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum += Number(value) * weight;
    acc.count += weight;
  }
  retract(acc: WeightedAvgAcc, value: bigint | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum -= Number(value) * weight;
    acc.count -= weight;
  }
  merge(acc: WeightedAvgAcc, others: Iterable<WeightedAvgAcc>): void {
    for (const o of others) {
      acc.sum += o.sum;
      acc.count += o.count;
    }
  }
  getValue(acc: WeightedAvgAcc): bigint | null {
    return acc.count === 0 ? null : BigInt(Math.trunc(acc.sum / acc.count));
  }
}

/** Counts without retract or merge: usable on insert-only inputs only. */
class PlainCount extends AggregateFunction<bigint, { n: number }> {
  readonly resultType = Types.BIGINT(false);
  createAccumulator(): { n: number } {
    return { n: 0 };
  }
  accumulate(acc: { n: number }): void {
    acc.n++;
  }
  getValue(acc: { n: number }): bigint {
    return BigInt(acc.n);
  }
}

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.createTemporarySystemFunction('SplitFunction', new SplitFunction());
  e.createTemporarySystemFunction('repeat_str', new Repeat());
  e.createTemporarySystemFunction('wavg', new WeightedAvg());
  e.createTemporarySystemFunction('plain_count', new PlainCount());
  e.executeSql(
    "CREATE TEMPORARY VIEW MyTable AS SELECT * FROM (VALUES (1, 'hello big world', ARRAY['a', 'b']), (2, CAST(NULL AS STRING), CAST(ARRAY[] AS ARRAY<STRING>)), (3, 'x', CAST(NULL AS ARRAY<STRING>))) AS t(id, myField, tags)",
  );
  e.executeSql(
    "CREATE TEMPORARY VIEW scores AS SELECT * FROM (VALUES ('a', CAST(10 AS BIGINT), 1), ('a', CAST(20 AS BIGINT), 3), ('b', CAST(5 AS BIGINT), 2), ('b', CAST(NULL AS BIGINT), 9)) AS s(name, score, weight)",
  );
  return e;
}

const key = (r: readonly Value[]): string =>
  JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
async function rows(e: TableEnvironment, sql: string): Promise<string[]> {
  return (await e.executeSql(sql).materialize()).map(key).sort();
}
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SqlError) return err.format();
    if (err instanceof Error) return err.message;
  }
  return 'no error';
}

describe('table functions (Flink docs: udfs "Table Functions")', () => {
  it('FROM t, LATERAL TABLE(f(col)): one row per collected row, inner semantics', async () => {
    expect(
      await rows(env(), 'SELECT myField, word, length FROM MyTable, LATERAL TABLE(SplitFunction(myField))'),
    ).toEqual([
      '["hello big world","big",3]',
      '["hello big world","hello",5]',
      '["hello big world","world",5]',
      '["x","x",1]',
    ]);
  });

  it('JOIN LATERAL TABLE ... ON TRUE is the same; LEFT JOIN keeps rows without output with NULLs', async () => {
    const e = env();
    expect(
      await rows(e, 'SELECT id, word FROM MyTable JOIN LATERAL TABLE(SplitFunction(myField)) ON TRUE'),
    ).toEqual(await rows(e, 'SELECT id, word FROM MyTable, LATERAL TABLE(SplitFunction(myField))'));
    expect(
      await rows(
        e,
        'SELECT id, newWord, newLength FROM MyTable LEFT JOIN LATERAL TABLE(SplitFunction(myField)) AS T(newWord, newLength) ON TRUE',
      ),
    ).toEqual(['[1,"big",3]', '[1,"hello",5]', '[1,"world",5]', '[2,null,null]', '[3,"x",1]']);
  });

  it('an INNER join condition filters the correlated rows; columns are reachable through the alias', async () => {
    expect(
      await rows(
        env(),
        'SELECT id, T.w FROM MyTable JOIN LATERAL TABLE(SplitFunction(myField)) AS T(w, l) ON T.l > 3',
      ),
    ).toEqual(['[1,"hello"]', '[1,"world"]']);
  });

  it('an atomic result type is one column f0; declared argument types are checked and cast', async () => {
    const e = env();
    expect(
      await rows(e, 'SELECT id, f0 FROM MyTable, LATERAL TABLE(repeat_str(myField, id)) WHERE id < 3'),
    ).toEqual(['[1,"hello big world"]', '[2,""]', '[2,""]']);
    expect(
      errorOf(() => e.executeSql("SELECT * FROM MyTable, LATERAL TABLE(repeat_str(myField, 'x'))")),
    ).toContain('REPEAT_STR argument 2 must be INT, but got CHAR(1) NOT NULL');
  });

  it('EXPLAIN shows the Correlate (logical and physical), keeping the input changelog', () => {
    const plan = env().explainSql('SELECT id, word FROM MyTable, LATERAL TABLE(SplitFunction(myField))');
    expect(plan).toContain(
      'LogicalCorrelate(invocation=[SplitFunction(myField)], joinType=[inner], rowType=[word, length])',
    );
    expect(plan).toMatch(
      /StreamCorrelate\(invocation=\[SplitFunction\(myField\)\], correlate=\[table\(SplitFunction\(myField\)\)\], select=\[[^\]]*\], joinType=\[INNER\], changelogMode=\[I\]\)/,
    );
  });

  it('over an updating input the Correlate passes retractions through', async () => {
    const e = env();
    const changes: string[] = [];
    const sql =
      "SELECT c, word FROM (SELECT name, CAST(COUNT(*) AS STRING) || ' z' AS c FROM scores GROUP BY name), LATERAL TABLE(SplitFunction(c))";
    for await (const ch of e.executeSql(sql).changes()) changes.push(`${ch.kind}${key(ch.values)}`);
    expect(changes).toContain('-U["1 z","1"]');
    expect(await rows(e, sql)).toEqual(['["2 z","2"]', '["2 z","2"]', '["2 z","z"]', '["2 z","z"]']);
  });

  it('misuse fails with the place and the reason', () => {
    const e = env();
    expect(errorOf(() => e.executeSql('SELECT SplitFunction(myField) FROM MyTable'))).toContain(
      'SPLITFUNCTION is a table function: call it in FROM as LATERAL TABLE(SPLITFUNCTION(...))',
    );
    expect(
      errorOf(() =>
        e.executeSql(
          'SELECT id FROM MyTable LEFT JOIN LATERAL TABLE(SplitFunction(myField)) AS T(w, l) ON l > 1',
        ),
      ),
    ).toContain(
      'LEFT JOIN with a table function (LATERAL TABLE or UNNEST) supports only ON TRUE as its condition',
    );
    expect(
      errorOf(() => e.executeSql('SELECT id FROM MyTable, LATERAL TABLE(SplitFunction(myField)) AS T(a)')),
    ).toContain('1 column aliases given for the 2 columns of the table function');
  });
});

describe('UNNEST (Flink docs: joins "Array Expansion")', () => {
  it('CROSS JOIN UNNEST(array) AS t(v), with ORDINALITY, and LEFT JOIN ... ON TRUE', async () => {
    const e = env();
    expect(await rows(e, 'SELECT id, tag FROM MyTable CROSS JOIN UNNEST(tags) AS t(tag)')).toEqual([
      '[1,"a"]',
      '[1,"b"]',
    ]);
    expect(
      await rows(
        e,
        'SELECT id, tag, pos FROM MyTable CROSS JOIN UNNEST(tags) WITH ORDINALITY AS t(tag, pos)',
      ),
    ).toEqual(['[1,"a",1]', '[1,"b",2]']);
    expect(await rows(e, 'SELECT id, tag FROM MyTable LEFT JOIN UNNEST(tags) AS t(tag) ON TRUE')).toEqual([
      '[1,"a"]',
      '[1,"b"]',
      '[2,null]',
      '[3,null]',
    ]);
  });

  it('FROM UNNEST of a constant; MAP gives (key, value); ARRAY<ROW> gives the row fields', async () => {
    const e = env();
    expect(
      await rows(
        e,
        "SELECT * FROM UNNEST(ARRAY['shirt', 'pants', 'hat']) WITH ORDINALITY AS t(product_name, idx)",
      ),
    ).toEqual(['["hat",3]', '["pants",2]', '["shirt",1]']);
    expect(await rows(e, "SELECT k, v FROM UNNEST(MAP['a', 1, 'b', 2]) AS m(k, v)")).toEqual([
      '["a",1]',
      '["b",2]',
    ]);
    expect(e.resolveSchema("SELECT * FROM UNNEST(MAP['a', 1])").names()).toEqual(['f0', 'f1']);
    expect(
      await rows(
        e,
        "SELECT id, name, qty FROM (VALUES (1, ARRAY[ROW('x', 2), ROW('y', 3)])) AS o(id, items) CROSS JOIN UNNEST(items) AS i(name, qty)",
      ),
    ).toEqual(['[1,"x",2]', '[1,"y",3]']);
  });

  it('refuses what it cannot expand, by name', () => {
    const e = env();
    expect(errorOf(() => e.executeSql('SELECT * FROM MyTable CROSS JOIN UNNEST(id) AS t(v)'))).toContain(
      'UNNEST needs an ARRAY or MAP argument, but got INT',
    );
    expect(
      errorOf(() => e.executeSql('SELECT * FROM MyTable CROSS JOIN UNNEST(tags, tags) AS t(a, b)')),
    ).toContain('UNNEST of more than one collection');
    expect(
      errorOf(() => e.executeSql('SELECT * FROM MyTable RIGHT JOIN UNNEST(tags) AS t(v) ON TRUE')),
    ).toContain('RIGHT JOIN with a table function');
  });
});

describe('aggregate functions (Flink docs: udfs "Aggregate Functions")', () => {
  it('WeightedAvg in GROUP BY, with FILTER, next to built-ins', async () => {
    const e = env();
    expect(await rows(e, 'SELECT name, wavg(score, weight), COUNT(*) FROM scores GROUP BY name')).toEqual([
      '["a","17n","2n"]',
      '["b","5n","2n"]',
    ]);
    expect(await rows(e, "SELECT wavg(score, weight) FILTER (WHERE name = 'a') FROM scores")).toEqual([
      '["17n"]',
    ]);
  });

  it('retracts when its input updates (the group aggregate calls retract)', async () => {
    const e = env();
    // The inner aggregate updates each name's total; the outer wavg sees -U/+U and must retract the old value.
    const sql = 'SELECT wavg(total, 1) FROM (SELECT name, SUM(weight) AS total FROM scores GROUP BY name)';
    const changes: string[] = [];
    for await (const ch of e.executeSql(sql).changes()) changes.push(`${ch.kind}${key(ch.values)}`);
    // Final: a -> 4, b -> 11, average 7 (truncated); with no retraction it would still count a's earlier 1.
    expect(await rows(e, sql)).toEqual(['["7n"]']);
    expect(changes.some((c) => c.startsWith('-U'))).toBe(true);
  });

  it('without retract it is refused on an updating input; without merge in a window aggregation', () => {
    const e = env();
    expect(
      errorOf(() =>
        e.executeSql(
          'SELECT plain_count(total) FROM (SELECT name, SUM(weight) AS total FROM scores GROUP BY name)',
        ),
      ),
    ).toContain(
      'AggregateFunction plain_count must implement retract(acc, ...args): its input produces updates and deletes',
    );
    e.executeSql(
      "CREATE TABLE timed_wm (name STRING, score BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '5')",
    );
    expect(
      errorOf(() =>
        e.executeSql(
          "SELECT window_start, plain_count(score) FROM TABLE(TUMBLE(TABLE timed_wm, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
        ),
      ),
    ).toContain(
      'AggregateFunction plain_count must implement merge(acc, others) to run in a window aggregation',
    );
  });

  it('runs in a window aggregation when it merges', async () => {
    const e = env();
    // HOP windows merge slice accumulators, so each window's wavg must equal the exact integer weighted mean.
    e.executeSql(
      "CREATE TABLE gen (name STRING, score BIGINT, weight INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '20', 'fields.weight.min' = '1', 'fields.weight.max' = '3', 'fields.score.min' = '1', 'fields.score.max' = '9')",
    );
    const plan = e.explainSql(
      "SELECT window_start, wavg(score, weight) FROM TABLE(HOP(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    );
    expect(plan).toContain('wavg(score, weight) AS EXPR$');
    const got = await e
      .executeSql(
        "SELECT window_start, wavg(score, weight), SUM(score * weight) / SUM(weight) FROM TABLE(HOP(TABLE gen, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
      )
      .materialize();
    expect(got.length).toBeGreaterThan(0);
    for (const r of got) expect(r[1]).toBe(BigInt(r[2] as bigint));
  });

  it('misuse: in WHERE, with DISTINCT, with wrong argument types', () => {
    const e = env();
    expect(errorOf(() => e.executeSql('SELECT name FROM scores WHERE wavg(score, weight) > 1'))).toContain(
      'Aggregate expression is illegal in WHERE clause',
    );
    expect(errorOf(() => e.executeSql('SELECT wavg(DISTINCT score, weight) FROM scores'))).toContain(
      'DISTINCT in the user-defined aggregate function WAVG',
    );
  });
});

describe('aggregate functions in OVER windows', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'freshet-udaf-over-')), 'scores.csv');
  writeFileSync(
    file,
    Array.from(
      { length: 24 },
      (_x, i) =>
        `${'ab'[i % 2]},${(i * 7) % 11},${1 + (i % 3)},2020-01-01 00:00:${String(i * 2).padStart(2, '0')}`,
    ).join('\n') + '\n',
  );
  const ddl = `CREATE TABLE timed (name STRING, score BIGINT, weight INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'csv')`;

  it('a retracting UDAF over a bounded ROWS frame equals the built-in formula', async () => {
    const e = env();
    e.executeSql(ddl);
    const udaf = await rows(
      e,
      'SELECT name, ts, wavg(score, weight) OVER (PARTITION BY name ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM timed',
    );
    const builtin = await rows(
      e,
      'SELECT name, ts, CAST(TRUNCATE(CAST(SUM(score * weight) OVER (PARTITION BY name ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS DOUBLE) / SUM(weight) OVER (PARTITION BY name ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), 0) AS BIGINT) FROM timed',
    );
    expect(udaf).toHaveLength(24);
    expect(udaf).toEqual(builtin);
  });

  it('a UDAF without retract runs over an unbounded frame and is refused over a bounded one', async () => {
    const e = env();
    e.executeSql(ddl);
    const got = await rows(
      e,
      'SELECT name, plain_count(score) OVER (PARTITION BY name ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM timed',
    );
    expect(got).toContain('["a","12n"]');
    expect(
      errorOf(() =>
        e.executeSql(
          'SELECT plain_count(score) OVER (PARTITION BY name ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM timed',
        ),
      ),
    ).toContain(
      'AggregateFunction plain_count must implement retract(acc, ...args) to run in a bounded OVER window',
    );
  });
});
