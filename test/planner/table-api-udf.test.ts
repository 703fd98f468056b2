// The rest of the Table API against the equivalent SQL: OVER windows (`window(Over…as('w'))` with
// `.over($('w'))`), flatMap / joinLateral / leftOuterJoinLateral with a table function, groupBy().aggregate()
// with an aggregate function, StatementSet (addInsert / addInsertSql) and typed select. Names and shapes follow
// Flink's Table API page (docs/dev/table/tableApi: "Over Windows", "FlatMap", "Join with Table Function
// (UDTF)", "Left Outer Join with Table Function (UDTF)", "Aggregate", "Insert").
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  $,
  AggregateFunction,
  call,
  CURRENT_ROW,
  DataTypes,
  lit,
  Over,
  TableEnvironment,
  TableFunction,
  Types,
  UNBOUNDED_RANGE,
  type Table,
  type Value,
} from '../../index.js';

class Split extends TableFunction<[string, number]> {
  readonly resultType = DataTypes.ROW(
    DataTypes.FIELD('word', DataTypes.STRING()),
    DataTypes.FIELD('length', DataTypes.INT()),
  );
  eval(s: string | null): void {
    if (s !== null) for (const w of s.split(' ')) this.collect([w, w.length]);
  }
}

class Longest extends AggregateFunction<string | null, { best: string | null }> {
  readonly resultType = Types.STRING();
  createAccumulator(): { best: string | null } {
    return { best: null };
  }
  accumulate(acc: { best: string | null }, s: string | null): void {
    if (s !== null && (acc.best === null || s.length > acc.best.length)) acc.best = s;
  }
  getValue(acc: { best: string | null }): string | null {
    return acc.best;
  }
}

const CLICKS = join(mkdtempSync(join(tmpdir(), 'freshet-clicks-')), 'clicks.csv');
writeFileSync(
  CLICKS,
  Array.from(
    { length: 30 },
    (_x, i) => `${'xyz'[(i * 7) % 3]},${(i * 5) % 9},2020-01-01 00:00:${String(i * 2).padStart(2, '0')}`,
  ).join('\n') + '\n',
);

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.createTemporarySystemFunction('split', new Split());
  e.createTemporarySystemFunction('longest', new Longest());
  e.executeSql(
    "CREATE TEMPORARY VIEW lines AS SELECT * FROM (VALUES (1, 'a', 'the quick fox'), (2, 'b', CAST(NULL AS STRING)), (3, 'a', 'jumps over')) AS t(id, k, line)",
  );
  e.executeSql(
    `CREATE TABLE clicks (u STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${CLICKS}', 'format' = 'csv')`,
  );
  return e;
}

const key = (r: readonly Value[]): string =>
  JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/** Same column names and types as the SQL, same rows (as multisets), same optimized plan. */
async function same(e: TableEnvironment, t: Table, sql: string): Promise<string[]> {
  expect(t.getResolvedSchema().toString()).toBe(e.resolveSchema(sql).toString());
  const got = (await t.execute().materialize()).map(key).sort();
  const want = (await e.executeSql(sql).materialize()).map(key).sort();
  expect(got).toEqual(want);
  return got;
}

describe('Table API: table functions', () => {
  it('joinLateral: INNER join with the function rows, renamed with .as(...)', async () => {
    const e = env();
    const t = e
      .from('lines')
      .joinLateral(call('split', $('line')).as('word', 'len'))
      .select($('id'), $('word'), $('len'));
    const rows = await same(
      e,
      t,
      'SELECT id, word, len FROM lines, LATERAL TABLE(split(line)) AS T(word, len)',
    );
    expect(rows).toHaveLength(5);
  });

  it('joinLateral with a condition, leftOuterJoinLateral keeps rows without output', async () => {
    const e = env();
    await same(
      e,
      e.from('lines').joinLateral(call('split', $('line')), $('length').isGreater(3)),
      'SELECT * FROM lines JOIN LATERAL TABLE(split(line)) ON length > 3',
    );
    const rows = await same(
      e,
      e.from('lines').leftOuterJoinLateral(call('split', $('line'))),
      'SELECT * FROM lines LEFT JOIN LATERAL TABLE(split(line)) ON TRUE',
    );
    expect(rows).toContain('[2,"b",null,null,null]');
  });

  it('flatMap: only the function columns', async () => {
    const e = env();
    const rows = await same(
      e,
      e.from('lines').flatMap(call('split', $('line'))),
      'SELECT T.* FROM lines, LATERAL TABLE(split(line)) AS T',
    );
    expect(rows).toContain('["quick",5]');
    expect(e.from('lines').flatMap(call('split', $('line')).as('w', 'n')).columns).toEqual(['w', 'n']);
  });

  it('call(instance, ...) registers the function inline (Flink: call(MyFunction.class, ...))', async () => {
    const e = env();
    const t = e
      .from('lines')
      .joinLateral(call(new Split(), $('line')).as('w', 'n'))
      .select($('id'), $('w'));
    const name = t.toSql().match(/`?(Split\$\d+)`?\(/)?.[1] as string;
    expect(name).toMatch(/^Split\$\d+$/);
    await same(e, t, `SELECT id, w FROM lines, LATERAL TABLE(${name}(line)) AS T(w, n)`);
    await same(
      e,
      e
        .from('lines')
        .groupBy($('k'))
        .select($('k'), call(new Longest(), $('line')).as('b')),
      'SELECT k, longest(line) AS b FROM lines GROUP BY k',
    );
  });

  it('a non-call argument fails naming the operation', () => {
    expect(() => env().from('lines').flatMap($('line'))).toThrow(
      "expected a table function call such as call('split', $('s')), not `line`",
    );
  });
});

describe('Table API: aggregate functions and OVER windows', () => {
  it('groupBy().aggregate(udaf).select(...) equals the SQL GROUP BY', async () => {
    const e = env();
    const t = e
      .from('lines')
      .groupBy($('k'))
      .aggregate(call('longest', $('line')).as('best'))
      .select($('k'), $('best'));
    expect(await same(e, t, 'SELECT k, longest(line) AS best FROM lines GROUP BY k')).toEqual([
      '["a","the quick fox"]',
      '["b",null]',
    ]);
    await same(
      e,
      e
        .from('lines')
        .aggregate(call('longest', $('line')).as('best'))
        .select($('best')),
      'SELECT longest(line) AS best FROM lines',
    );
  });

  it('window(Over.partitionBy().orderBy().preceding().as(w)) with .over($(w)) equals SQL OVER', async () => {
    const e = env();
    const t = e
      .from('clicks')
      .window(Over.partitionBy($('u')).orderBy($('ts')).preceding(UNBOUNDED_RANGE).as('w'))
      .select(
        $('u'),
        $('ts'),
        $('amount').sum.over($('w')).as('total'),
        $('amount').count.over($('w')).as('n'),
      );
    await same(
      e,
      t,
      'SELECT u, ts, SUM(amount) OVER (PARTITION BY u ORDER BY ts RANGE UNBOUNDED PRECEDING) AS total, COUNT(amount) OVER (PARTITION BY u ORDER BY ts RANGE UNBOUNDED PRECEDING) AS n FROM clicks',
    );
    const rows = e
      .from('clicks')
      .window(Over.partitionBy($('u')).orderBy($('ts')).preceding(lit(2)).following(CURRENT_ROW).as('w'))
      .select($('u'), $('amount').max.over($('w')).as('m'));
    await same(
      e,
      rows,
      'SELECT u, MAX(amount) OVER (PARTITION BY u ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS m FROM clicks',
    );
    const ranged = e
      .from('clicks')
      .window(Over.orderBy($('ts')).preceding(lit(10).seconds()).as('w'))
      .select($('amount').avg.over($('w')).as('a'));
    await same(
      e,
      ranged,
      "SELECT AVG(amount) OVER (ORDER BY ts RANGE INTERVAL '10' SECOND PRECEDING) AS a FROM clicks",
    );
  });

  it('an unknown window alias is an error', () => {
    const e = env();
    expect(() =>
      e
        .from('clicks')
        .window(Over.orderBy($('ts')).as('w'))
        .select($('amount').sum.over($('v'))),
    ).toThrow(".over($('v')): no OVER window is aliased 'v' (known: w)");
  });
});

describe('Table API: StatementSet and typed rows', () => {
  it('addInsert and addInsertSql run as one job writing both sinks; explain shows both', async () => {
    const e = env();
    const dir = mkdtempSync(join(tmpdir(), 'freshet-stmtset-'));
    e.executeSql(
      `CREATE TABLE words_out (id INT, word STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'a')}', 'format' = 'csv')`,
    );
    e.executeSql(
      `CREATE TABLE ids_out (id INT, k STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'b')}', 'format' = 'csv')`,
    );
    const set = e
      .createStatementSet()
      .addInsert(
        'words_out',
        e
          .from('lines')
          .joinLateral(call('split', $('line')))
          .select($('id'), $('word')),
      )
      .addInsertSql("INSERT INTO ids_out SELECT id, k FROM lines WHERE k = 'a'");
    const plan = set.explain();
    expect(plan).toContain('LogicalSink(table=[default_catalog.default_database.words_out]');
    expect(plan).toContain('LogicalSink(table=[default_catalog.default_database.ids_out]');
    await set.execute().await();
    const read = (d: string): string[] =>
      readdirSync(join(dir, d))
        .filter((f) => !f.startsWith('.'))
        .flatMap((f) => readFileSync(join(dir, d, f), 'utf8').split('\n'))
        .filter((l) => l !== '')
        .sort();
    expect(read('a')).toEqual(['1,fox', '1,quick', '1,the', '3,jumps', '3,over']);
    expect(read('b')).toEqual(['1,a', '3,a']);
    expect(() => set.execute()).toThrow('a StatementSet needs at least one INSERT');
  });

  it('select<S>() types the rows collect() yields', async () => {
    const e = env();
    const rows: { k: string; n: bigint }[] = [];
    for await (const r of e
      .from('lines')
      .groupBy($('k'))
      .select<{ k: string; n: bigint }>($('k'), $('id').count.as('n'))
      .collect())
      rows.push(r);
    expect(rows.map((r) => `${r.k}:${r.n + 0n}`).sort()).toContain('a:2');
  });
});
