// The fluent Table API end to end: every operation gives the same rows as the equivalent SQL (both bind through
// one QueryBinder, planner/api/table.ts), plus its validation errors, which name the Table API call.
// Operations and names follow Flink's Table API page (docs/dev/table/tableApi: select, where/filter, addColumns,
// addOrReplaceColumns, dropColumns, renameColumns, as, groupBy, window(Tumble/Slide), join/leftOuterJoin,
// union/unionAll, distinct, orderBy/offset/fetch, executeInsert, explain).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  $,
  call,
  DataTypes,
  lit,
  Session,
  Slide,
  SqlError,
  TableEnvironment,
  Tumble,
  type Table,
  type Value,
} from '../../index.js';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-table-api-'));
  writeFileSync(join(dir, 'words.csv'), ['a,1', 'b,2', 'a,3', 'c,4', 'a,5', 'b,6'].join('\n') + '\n');
  writeFileSync(
    join(dir, 'orders.csv'),
    [
      '1,10,2020-01-01 00:00:01',
      '2,20,2020-01-01 00:00:02',
      '3,10,2020-01-01 00:00:09',
      '4,30,2020-01-01 00:00:20',
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'ships.csv'), ['1,x', '3,y', '9,z'].join('\n') + '\n');
});

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(
    `CREATE TABLE words (w STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'words.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE orders (id INT, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'orders.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE ships (order_id INT, carrier STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'ships.csv')}', 'format' = 'csv')`,
  );
  return e;
}

const key = (r: Value[]): string =>
  JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
const sorted = (rows: Value[][]): Value[][] =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** The Table's final rows equal the SQL's, and so do the column names and types. */
async function same(e: TableEnvironment, t: Table, sql: string, ordered = false): Promise<Value[][]> {
  expect(t.getResolvedSchema().toString()).toBe(e.resolveSchema(sql).toString());
  const got = await t.execute().materialize();
  const want = await e.executeSql(sql).materialize();
  if (ordered) expect(got).toEqual(want);
  else expect(sorted(got)).toEqual(sorted(want));
  return got;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SqlError) return err.message;
    throw err;
  }
  return 'no error';
}

describe('Table API: projections and filters', () => {
  it('select with expressions, aliases, literals and functions', async () => {
    const e = env();
    const t = e
      .from('words')
      .select(
        $('w').upperCase().as('W'),
        $('n').times(10).plus(1).as('x'),
        lit('k').as('k'),
        call('CHAR_LENGTH', $('w')).as('len'),
      );
    const rows = await same(
      e,
      t,
      "SELECT UPPER(w) AS W, n * 10 + 1 AS x, 'k' AS k, CHAR_LENGTH(w) AS len FROM words",
    );
    expect(rows).toHaveLength(6);
  });

  it('where/filter with and/or/not, comparisons, like, null tests', async () => {
    const e = env();
    const t = e
      .from('words')
      .where($('n').isGreater(1).and($('w').isNotEqual('c')))
      .filter($('w').like('a%').or($('n').isLessOrEqual(2)).and($('w').isNull().not()));
    const rows = await same(
      e,
      t,
      "SELECT * FROM words WHERE n > 1 AND w <> 'c' AND (w LIKE 'a%' OR n <= 2) AND NOT w IS NULL",
    );
    expect(sorted(rows)).toEqual([
      ['a', 3],
      ['a', 5],
      ['b', 2],
    ]);
  });

  it('addColumns, addOrReplaceColumns, dropColumns, renameColumns, as', async () => {
    const e = env();
    await same(
      e,
      e.from('words').addColumns($('n').times(2).as('n2')),
      'SELECT w, n, n * 2 AS n2 FROM words',
    );
    await same(
      e,
      e.from('words').addOrReplaceColumns($('n').minus(1).as('n'), lit(true).as('b')),
      'SELECT w, n - 1 AS n, TRUE AS b FROM words',
    );
    await same(e, e.from('orders').dropColumns($('ts'), 'amount'), 'SELECT id FROM orders');
    await same(e, e.from('words').renameColumns($('w').as('word')), 'SELECT w AS word, n FROM words');
    await same(
      e,
      e.from('words').as('x', 'y').where($('y').isEqual(4)),
      'SELECT x, y FROM words AS t(x, y) WHERE y = 4',
    );
  });

  it('cast with DataTypes and literals of each JavaScript type', async () => {
    const e = env();
    const t = e
      .from('words')
      .select(
        $('n').cast(DataTypes.BIGINT()).as('b'),
        lit(1.5).as('d'),
        lit(-3).as('i'),
        lit(10n ** 12n).as('big'),
        lit(null).cast(DataTypes.STRING()).as('s'),
      );
    await same(
      e,
      t,
      'SELECT CAST(n AS BIGINT) AS b, 1.5E0 AS d, -3 AS i, 1000000000000 AS big, CAST(NULL AS STRING) AS s FROM words',
    );
  });

  it('a string value is a literal, never SQL text', async () => {
    const e = env();
    const t = e.from('words').where($('w').isEqual("a' OR '1' = '1"));
    expect(await t.execute().materialize()).toEqual([]);
  });

  it('sqlQuery and createTemporaryView mix with SQL both ways', async () => {
    const e = env();
    const big = e.sqlQuery('SELECT w, n FROM words WHERE n > 2').select($('w'), $('n').plus(100).as('m'));
    e.createTemporaryView('big', big);
    await same(e, e.from('big'), 'SELECT w, n + 100 AS m FROM words WHERE n > 2');
    expect(sorted(await e.executeSql('SELECT w FROM big WHERE m > 104').materialize())).toEqual([
      ['a'],
      ['b'],
    ]);
    // A fluent view is stored as SQL printed from its AST.
    const [[ddl]] = (await e.executeSql('SHOW CREATE VIEW big').materialize()) as [[string]];
    expect(ddl).toContain('CREATE TEMPORARY VIEW');
    expect(ddl).toContain('+ 100');
  });

  it('sqlQuery errors point into the SQL text, as executeSql errors do', () => {
    const e = env();
    let err: SqlError | null = null;
    try {
      e.sqlQuery('SELECT nope FROM words');
    } catch (x) {
      err = x as SqlError;
    }
    expect(err?.source).toBe('SELECT nope FROM words');
    expect(err?.column).toBe(8);
  });
});

describe('Table API: aggregation and windows', () => {
  it('groupBy(...).select with aggregates', async () => {
    const e = env();
    const t = e
      .from('words')
      .groupBy($('w'))
      .select($('w'), $('n').sum.as('s'), $('n').count.as('c'), $('n').max.as('mx'), $('n').avg.as('a'));
    const rows = await same(
      e,
      t,
      'SELECT w, SUM(n) AS s, COUNT(n) AS c, MAX(n) AS mx, AVG(n) AS a FROM words GROUP BY w',
    );
    expect(sorted(rows)).toEqual([
      ['a', 9, 3n, 5, 3],
      ['b', 8, 2n, 6, 4],
      ['c', 4, 1n, 4, 4],
    ]);
  });

  it('a global aggregate and countDistinct', async () => {
    const e = env();
    await same(
      e,
      e.from('words').select($('n').min.as('lo'), $('w').countDistinct.as('k')),
      'SELECT MIN(n) AS lo, COUNT(DISTINCT w) AS k FROM words',
    );
  });

  it('Tumble window: groupBy the alias, $(w).start()/end() are window_start/window_end', async () => {
    const e = env();
    const t = e
      .from('orders')
      .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
      .groupBy($('w'))
      .select($('w').start().as('ws'), $('w').end().as('we'), $('amount').sum.as('total'));
    const rows = await same(
      e,
      t,
      "SELECT window_start AS ws, window_end AS we, SUM(amount) AS total FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    );
    expect(rows.map((r) => r[2])).toEqual([40, 30]);
  });

  it('Slide window with an extra group key', async () => {
    const e = env();
    const t = e
      .from('orders')
      .window(Slide.over(lit(20).seconds()).every(lit(10).seconds()).on($('ts')).as('w'))
      .groupBy($('w'), $('amount'))
      .select($('amount'), $('w').end().as('we'), $('id').count.as('c'));
    await same(
      e,
      t,
      "SELECT amount, window_end AS we, COUNT(id) AS c FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end, amount",
    );
  });
});

describe('Table API: session windows', () => {
  it('Session window maps to the SESSION window TVF', async () => {
    const e = env();
    const t = e
      .from('orders')
      .window(Session.withGap(lit(5).seconds()).on($('ts')).as('w'))
      .groupBy($('w'))
      .select($('w').start().as('ws'), $('w').end().as('we'), $('id').count.as('c'));
    await same(
      e,
      t,
      "SELECT window_start AS ws, window_end AS we, COUNT(id) AS c FROM TABLE(SESSION(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end",
    );
  });

  it('the window alias must be a group key', () => {
    const e = env();
    expect(() =>
      e
        .from('orders')
        .window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
        .groupBy($('id')),
    ).toThrow(/must include the window alias \$\('w'\)/);
  });
});

describe('Table API: joins, set operations, sorting', () => {
  it('join(...).where(cond) and join with a condition', async () => {
    const e = env();
    const sql = 'SELECT * FROM orders AS o JOIN ships AS s ON o.id = s.order_id';
    const o = e.from('orders').dropColumns($('ts'));
    await same(
      e,
      o.join(e.from('ships')).where($('id').isEqual($('order_id'))),
      'SELECT o.id, o.amount, s.order_id, s.carrier FROM orders AS o JOIN ships AS s ON o.id = s.order_id',
    );
    const rows = await same(
      e,
      o.join(e.from('ships'), $('id').isEqual($('order_id'))).select($('id'), $('carrier')),
      'SELECT id, carrier FROM orders JOIN ships ON id = order_id',
    );
    expect(sorted(rows)).toEqual([
      [1, 'x'],
      [3, 'y'],
    ]);
    expect(sql).toContain('JOIN');
  });

  it('leftOuterJoin keeps unmatched rows with NULLs', async () => {
    const e = env();
    const t = e
      .from('orders')
      .leftOuterJoin(e.from('ships'), $('id').isEqual($('order_id')))
      .select($('id'), $('carrier'));
    const rows = await same(e, t, 'SELECT id, carrier FROM orders LEFT JOIN ships ON id = order_id');
    expect(sorted(rows)).toEqual([
      [1, 'x'],
      [2, null],
      [3, 'y'],
      [4, null],
    ]);
  });

  it('a join of two tables with a common column name is an error naming the call', () => {
    const e = env();
    expect(errorOf(() => e.from('words').join(e.from('words')))).toMatch(
      /^join\(Table\): both sides have the column\(s\) w, n/,
    );
  });

  it('unionAll, union, distinct', async () => {
    const e = env();
    const a = e.from('words').select($('w'));
    const b = e.from('ships').select($('carrier').as('w'));
    await same(e, a.unionAll(b), 'SELECT w FROM words UNION ALL SELECT carrier AS w FROM ships');
    const u = await same(e, a.union(b), 'SELECT w FROM words UNION SELECT carrier AS w FROM ships');
    expect(u).toHaveLength(6);
    await same(e, a.distinct(), 'SELECT DISTINCT w FROM words');
  });

  it('orderBy with offset/fetch and limit (Top-N in streaming)', async () => {
    const e = env();
    await same(
      e,
      e.from('words').orderBy($('n').desc()).limit(3),
      'SELECT * FROM words ORDER BY n DESC LIMIT 3',
    );
    await same(
      e,
      e.from('words').orderBy($('n').desc()).offset(1).fetch(2),
      'SELECT * FROM words ORDER BY n DESC OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY',
    );
    await same(
      e,
      e.from('words').orderBy($('w'), $('n').desc()).limit(1, 2),
      'SELECT * FROM words ORDER BY w, n DESC OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY',
    );
  });
});

describe('Table API: other runtime modes', () => {
  it('batch mode and parallelism 2 give the same final tables as SQL', async () => {
    for (const config of [{ 'execution.runtime-mode': 'batch' }, { 'parallelism.default': '2' }]) {
      const e = env();
      for (const [k, v] of Object.entries(config)) e.getConfig().set(k, v);
      await same(
        e,
        e.from('words').groupBy($('w')).select($('w'), $('n').sum.as('s')),
        'SELECT w, SUM(n) AS s FROM words GROUP BY w',
      );
      await same(
        e,
        e
          .from('orders')
          .leftOuterJoin(e.from('ships'), $('id').isEqual($('order_id')))
          .select($('id'), $('carrier')),
        'SELECT id, carrier FROM orders LEFT JOIN ships ON id = order_id',
      );
      await same(
        e,
        e.from('words').orderBy($('n').desc()).fetch(2),
        'SELECT * FROM words ORDER BY n DESC LIMIT 2',
        true,
      );
    }
  });
});

describe('Table API: execution, explain, errors', () => {
  it('execute().collect() yields objects keyed by column name', async () => {
    const e = env();
    const out: Record<string, Value>[] = [];
    for await (const row of e.from<{ w: string; n: number }>('words').where($('n').isEqual(2)).collect())
      out.push(row);
    expect(out).toEqual([{ w: 'b', n: 2 }]);
  });

  it('executeInsert writes into a sink table', async () => {
    const e = env();
    const outDir = join(dir, 'out');
    e.executeSql(
      `CREATE TABLE sink (w STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${outDir}', 'format' = 'csv')`,
    );
    await e
      .from('words')
      .where($('n').isGreater(3))
      .select($('w'), $('n').cast(DataTypes.BIGINT()).as('c'))
      .executeInsert('sink')
      .await();
    const text = readdirSync(outDir)
      .map((f) => readFileSync(join(outDir, f), 'utf8'))
      .join('');
    expect(text.trim().split('\n').sort()).toEqual(['a,5', 'b,6', 'c,4']);
    // An append-only sink rejects an updating query, and the error names the call.
    expect(
      errorOf(() =>
        e.from('words').groupBy($('w')).select($('w'), $('n').count.as('c')).executeInsert('sink'),
      ),
    ).toMatch(/^executeInsert\('sink'\): .*accepts only inserts/);
  });

  it('explain() prints the same optimized plan as explainSql of the equivalent SQL', () => {
    const e = env();
    // The unoptimized tree has the subquery wrappers' identity projections; the optimizer removes them.
    const optimized = (text: string): string => text.slice(text.indexOf('== Optimized Logical Plan =='));
    const t = e.from('words').where($('n').isGreater(2)).select($('w'));
    expect(optimized(t.explain())).toBe(optimized(e.explainSql('SELECT w FROM words WHERE n > 2')));
    const g = e
      .from('orders')
      .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
      .groupBy($('w'))
      .select($('w').start().as('ws'), $('id').count.as('c'));
    expect(optimized(g.explain())).toBe(
      optimized(
        e.explainSql(
          "SELECT window_start AS ws, COUNT(id) AS c FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
        ),
      ),
    );
    expect(t.toSql()).toContain('SELECT');
  });

  it('validation errors name the Table API call', () => {
    const e = env();
    const words = e.from('words');
    const unknown = errorOf(() => words.select($('nope')));
    expect(unknown).toBe("select(`nope`): Column 'nope' not found in any table");
    expect(errorOf(() => words.where($('n').plus('x')))).toMatch(/^where\(/);
    expect(errorOf(() => e.from('missing'))).toMatch(/^from\('missing'\): .*missing/);
    expect(errorOf(() => words.addColumns($('n').as('w')))).toMatch(
      /^addColumns\(.*column 'w' already exists/,
    );
    expect(errorOf(() => words.as('a'))).toMatch(/^as\('a'\): 1 names for 2 columns/);
    expect(errorOf(() => words.groupBy($('w')).select($('n')))).toMatch(
      /^groupBy\(`w`\)\.select\(`n`\): .*not being grouped/,
    );
    // The error's source is the call, so a caret under it reads sensibly.
    try {
      words.select($('nope'));
    } catch (err) {
      expect((err as SqlError).source.startsWith('select(')).toBe(true);
    }
  });
});
