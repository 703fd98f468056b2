// SQL and the equivalent Table API program give the same plan: for each pair the optimized logical plan and
// the physical plan of both are compared with each other and with a golden file in golden/table-api/<name>.txt
// (SQL, the Table API program, the plan). Refresh with
//   UPDATE_GOLDEN=1 npx vitest run test/planner/table-api-plans.test.ts
// and review the diff. The programs use Flink's Table API names (docs/dev/table/tableApi).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  $,
  AggregateFunction,
  call,
  DataTypes,
  ifThenElse,
  lit,
  Over,
  Session,
  Slide,
  TableEnvironment,
  TableFunction,
  Tumble,
  Types,
  UNBOUNDED_RANGE,
  UNBOUNDED_ROW,
  type Table,
} from '../../index.js';

const here = dirname(fileURLToPath(import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const dir = join(here, 'golden/table-api');

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
  retract(): void {}
  merge(acc: { best: string | null }, others: Iterable<{ best: string | null }>): void {
    for (const o of others) this.accumulate(acc, o.best);
  }
  getValue(acc: { best: string | null }): string | null {
    return acc.best;
  }
}

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  for (const ddl of [
    "CREATE TABLE orders (id BIGINT, customer INT, product STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
    "CREATE TABLE customers (cid INT, name STRING, region STRING, cts TIMESTAMP(3), WATERMARK FOR cts AS cts) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
    "CREATE TABLE lines (lid INT, line STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
    "CREATE TABLE out_orders (id BIGINT, amount DECIMAL(10, 2)) WITH ('connector' = 'blackhole')",
  ])
    e.executeSql(ddl);
  e.createTemporarySystemFunction('split', new Split());
  e.createTemporarySystemFunction('longest', new Longest());
  return e;
}

type Pair = readonly [sql: string, table: (e: TableEnvironment) => Table];

const o = (e: TableEnvironment): Table => e.from('orders');

const PAIRS: Record<string, Pair> = {
  // projections and filters
  'select-columns': ['SELECT id, product FROM orders', (e) => o(e).select($('id'), $('product'))],
  'select-star': ['SELECT * FROM orders', (e) => o(e).select('*')],
  'select-expression': [
    'SELECT id, amount * 2 AS twice FROM orders',
    (e) => o(e).select($('id'), $('amount').times(2).as('twice')),
  ],
  'select-arithmetic': [
    'SELECT id + 1 AS a, customer - 1 AS b, amount / 2 AS c FROM orders',
    (e) =>
      o(e).select($('id').plus(1).as('a'), $('customer').minus(1).as('b'), $('amount').dividedBy(2).as('c')),
  ],
  'select-string-functions': [
    'SELECT UPPER(product) AS u, CHAR_LENGTH(product) AS n, TRIM(product) AS t FROM orders',
    (e) =>
      o(e).select(
        $('product').upperCase().as('u'),
        $('product').charLength().as('n'),
        $('product').trim().as('t'),
      ),
  ],
  'select-concat': [
    "SELECT product || '!' AS p FROM orders",
    (e) => o(e).select($('product').concat('!').as('p')),
  ],
  'select-cast': [
    'SELECT CAST(customer AS BIGINT) AS c FROM orders',
    (e) => o(e).select($('customer').cast(DataTypes.BIGINT()).as('c')),
  ],
  'select-call-builtin': [
    "SELECT CONCAT(product, '-', CAST(id AS STRING)) AS k FROM orders",
    (e) => o(e).select(call('CONCAT', $('product'), '-', $('id').cast(DataTypes.STRING())).as('k')),
  ],
  'select-case': [
    "SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END AS size FROM orders",
    (e) => o(e).select(ifThenElse($('amount').isGreater(10), 'big', 'small').as('size')),
  ],
  'where-simple': ['SELECT * FROM orders WHERE customer = 3', (e) => o(e).where($('customer').isEqual(3))],
  'where-and-or': [
    'SELECT * FROM orders WHERE customer > 1 AND (amount < 5 OR product IS NULL)',
    (e) =>
      o(e).where(
        $('customer')
          .isGreater(1)
          .and($('amount').isLess(5).or($('product').isNull())),
      ),
  ],
  'where-like': [
    "SELECT id FROM orders WHERE product LIKE 'a%'",
    (e) => o(e).where($('product').like('a%')).select($('id')),
  ],
  'where-in': [
    'SELECT id FROM orders WHERE customer IN (1, 2, 3)',
    (e) =>
      o(e)
        .where($('customer').in(1, 2, 3))
        .select($('id')),
  ],
  'where-between': [
    'SELECT id FROM orders WHERE amount BETWEEN 1 AND 10',
    (e) => o(e).where($('amount').between(1, 10)).select($('id')),
  ],
  'where-not': [
    'SELECT id FROM orders WHERE NOT customer = 1',
    (e) => o(e).where($('customer').isEqual(1).not()).select($('id')),
  ],
  'filter-then-select': [
    'SELECT id, amount FROM orders WHERE amount > 100',
    (e) => o(e).filter($('amount').isGreater(100)).select($('id'), $('amount')),
  ],
  'select-then-filter': [
    'SELECT * FROM (SELECT id, amount * 2 AS a FROM orders) WHERE a > 10',
    (e) => o(e).select($('id'), $('amount').times(2).as('a')).where($('a').isGreater(10)),
  ],
  'add-columns': [
    'SELECT *, amount * 2 AS twice FROM orders',
    (e) => o(e).addColumns($('amount').times(2).as('twice')),
  ],
  'add-or-replace-columns': [
    'SELECT id, customer + 1 AS customer, product, amount, ts FROM orders',
    (e) => o(e).addOrReplaceColumns($('customer').plus(1).as('customer')),
  ],
  'drop-columns': ['SELECT id, customer, amount, ts FROM orders', (e) => o(e).dropColumns($('product'))],
  'rename-columns': [
    'SELECT id AS order_id, customer, product AS item, amount, ts FROM orders',
    (e) => o(e).renameColumns($('id').as('order_id'), $('product').as('item')),
  ],
  'as-rename-all': ['SELECT * FROM orders AS t(a, b, c, d, e)', (e) => o(e).as('a', 'b', 'c', 'd', 'e')],
  distinct: ['SELECT DISTINCT customer FROM orders', (e) => o(e).select($('customer')).distinct()],
  // group aggregation
  'group-count': [
    'SELECT customer, COUNT(id) AS n FROM orders GROUP BY customer',
    (e) => o(e).groupBy($('customer')).select($('customer'), $('id').count.as('n')),
  ],
  'group-sum-avg': [
    'SELECT customer, SUM(amount) AS s, AVG(amount) AS a FROM orders GROUP BY customer',
    (e) =>
      o(e).groupBy($('customer')).select($('customer'), $('amount').sum.as('s'), $('amount').avg.as('a')),
  ],
  'group-min-max': [
    'SELECT product, MIN(amount) AS lo, MAX(amount) AS hi FROM orders GROUP BY product',
    (e) =>
      o(e).groupBy($('product')).select($('product'), $('amount').min.as('lo'), $('amount').max.as('hi')),
  ],
  'group-count-distinct': [
    'SELECT customer, COUNT(DISTINCT product) AS n FROM orders GROUP BY customer',
    (e) => o(e).groupBy($('customer')).select($('customer'), $('product').countDistinct.as('n')),
  ],
  'group-two-keys': [
    'SELECT customer, product, COUNT(id) AS n FROM orders GROUP BY customer, product',
    (e) =>
      o(e).groupBy($('customer'), $('product')).select($('customer'), $('product'), $('id').count.as('n')),
  ],
  'group-expression-over-agg': [
    'SELECT customer, SUM(amount) * 2 AS s2 FROM orders GROUP BY customer',
    (e) => o(e).groupBy($('customer')).select($('customer'), $('amount').sum.times(2).as('s2')),
  ],
  'group-then-filter': [
    'SELECT * FROM (SELECT customer, COUNT(id) AS n FROM orders GROUP BY customer) WHERE n > 2',
    (e) =>
      o(e).groupBy($('customer')).select($('customer'), $('id').count.as('n')).where($('n').isGreater(2)),
  ],
  'group-of-group': [
    'SELECT n, COUNT(customer) AS c FROM (SELECT customer, COUNT(id) AS n FROM orders GROUP BY customer) GROUP BY n',
    (e) =>
      o(e)
        .groupBy($('customer'))
        .select($('customer'), $('id').count.as('n'))
        .groupBy($('n'))
        .select($('n'), $('customer').count.as('c')),
  ],
  'filter-then-group': [
    'SELECT customer, SUM(amount) AS s FROM orders WHERE amount > 1 GROUP BY customer',
    (e) =>
      o(e)
        .where($('amount').isGreater(1))
        .groupBy($('customer'))
        .select($('customer'), $('amount').sum.as('s')),
  ],
  'udaf-group': [
    'SELECT customer, longest(product) AS best FROM orders GROUP BY customer',
    (e) =>
      o(e)
        .groupBy($('customer'))
        .aggregate(call('longest', $('product')).as('best'))
        .select($('customer'), $('best')),
  ],
  'udaf-global': [
    'SELECT longest(product) AS best FROM orders',
    (e) =>
      o(e)
        .aggregate(call('longest', $('product')).as('best'))
        .select($('best')),
  ],
  'udaf-in-select': [
    'SELECT customer, longest(product) AS best, COUNT(id) AS n FROM orders GROUP BY customer',
    (e) =>
      o(e)
        .groupBy($('customer'))
        .select($('customer'), call('longest', $('product')).as('best'), $('id').count.as('n')),
  ],
  // group windows (window TVFs)
  'tumble-count': [
    "SELECT window_start, window_end, COUNT(id) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    (e) =>
      o(e)
        .window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
        .groupBy($('w'))
        .select($('w').start().as('window_start'), $('w').end().as('window_end'), $('id').count.as('n')),
  ],
  'tumble-keyed': [
    "SELECT customer, window_end, SUM(amount) AS s FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY customer, window_start, window_end",
    (e) =>
      o(e)
        .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
        .groupBy($('w'), $('customer'))
        .select($('customer'), $('w').end().as('window_end'), $('amount').sum.as('s')),
  ],
  'slide-sum': [
    "SELECT window_start, SUM(amount) AS s FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    (e) =>
      o(e)
        .window(Slide.over(lit(1).minutes()).every(lit(10).seconds()).on($('ts')).as('w'))
        .groupBy($('w'))
        .select($('w').start().as('window_start'), $('amount').sum.as('s')),
  ],
  'session-keyed': [
    "SELECT customer, window_start, COUNT(id) AS n FROM TABLE(SESSION(TABLE orders PARTITION BY customer, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY customer, window_start, window_end",
    (e) =>
      o(e)
        .window(Session.withGap(lit(30).seconds()).on($('ts')).as('w'))
        .groupBy($('w'), $('customer'))
        .select($('customer'), $('w').start().as('window_start'), $('id').count.as('n')),
  ],
  'tumble-rowtime': [
    "SELECT window_time, MAX(amount) AS m FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, window_time",
    (e) =>
      o(e)
        .window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
        .groupBy($('w'))
        .select($('w').rowtime().as('window_time'), $('amount').max.as('m')),
  ],
  'tumble-udaf': [
    "SELECT window_start, longest(product) AS best FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    (e) =>
      o(e)
        .window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
        .groupBy($('w'))
        .select($('w').start().as('window_start'), call('longest', $('product')).as('best')),
  ],
  // OVER windows
  'over-range-unbounded': [
    'SELECT id, SUM(amount) OVER (PARTITION BY customer ORDER BY ts RANGE UNBOUNDED PRECEDING) AS total FROM orders',
    (e) =>
      o(e)
        .window(Over.partitionBy($('customer')).orderBy($('ts')).preceding(UNBOUNDED_RANGE).as('w'))
        .select($('id'), $('amount').sum.over($('w')).as('total')),
  ],
  'over-rows-bounded': [
    'SELECT id, MAX(amount) OVER (PARTITION BY customer ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS m FROM orders',
    (e) =>
      o(e)
        .window(Over.partitionBy($('customer')).orderBy($('ts')).preceding(lit(5)).as('w'))
        .select($('id'), $('amount').max.over($('w')).as('m')),
  ],
  'over-range-interval': [
    "SELECT id, COUNT(id) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW) AS n FROM orders",
    (e) =>
      o(e)
        .window(Over.orderBy($('ts')).preceding(lit(1).minutes()).as('w'))
        .select($('id'), $('id').count.over($('w')).as('n')),
  ],
  'over-rows-unbounded': [
    'SELECT id, AVG(amount) OVER (PARTITION BY product ORDER BY ts ROWS UNBOUNDED PRECEDING) AS a FROM orders',
    (e) =>
      o(e)
        .window(Over.partitionBy($('product')).orderBy($('ts')).preceding(UNBOUNDED_ROW).as('w'))
        .select($('id'), $('amount').avg.over($('w')).as('a')),
  ],
  'over-two-aggregates': [
    'SELECT customer, SUM(amount) OVER (PARTITION BY customer ORDER BY ts RANGE UNBOUNDED PRECEDING) AS s, MIN(amount) OVER (PARTITION BY customer ORDER BY ts RANGE UNBOUNDED PRECEDING) AS lo FROM orders',
    (e) =>
      o(e)
        .window(Over.partitionBy($('customer')).orderBy($('ts')).preceding(UNBOUNDED_RANGE).as('w'))
        .select($('customer'), $('amount').sum.over($('w')).as('s'), $('amount').min.over($('w')).as('lo')),
  ],
  // joins
  'join-inner': [
    'SELECT id, name FROM orders JOIN customers ON customer = cid',
    (e) =>
      o(e)
        .join(e.from('customers'), $('customer').isEqual($('cid')))
        .select($('id'), $('name')),
  ],
  'join-where-condition': [
    'SELECT * FROM orders JOIN customers ON customer = cid',
    (e) =>
      o(e)
        .join(e.from('customers'))
        .where($('customer').isEqual($('cid'))),
  ],
  'join-left': [
    'SELECT id, region FROM orders LEFT JOIN customers ON customer = cid',
    (e) =>
      o(e)
        .leftOuterJoin(e.from('customers'), $('customer').isEqual($('cid')))
        .select($('id'), $('region')),
  ],
  'join-right': [
    'SELECT id, name FROM orders RIGHT JOIN customers ON customer = cid',
    (e) =>
      o(e)
        .rightOuterJoin(e.from('customers'), $('customer').isEqual($('cid')))
        .select($('id'), $('name')),
  ],
  'join-full': [
    'SELECT id, cid FROM orders FULL JOIN customers ON customer = cid',
    (e) =>
      o(e)
        .fullOuterJoin(e.from('customers'), $('customer').isEqual($('cid')))
        .select($('id'), $('cid')),
  ],
  'join-non-equi': [
    'SELECT id, name FROM orders JOIN customers ON customer = cid AND amount > 10',
    (e) =>
      o(e)
        .join(e.from('customers'), $('customer').isEqual($('cid')).and($('amount').isGreater(10)))
        .select($('id'), $('name')),
  ],
  'join-then-group': [
    'SELECT region, SUM(amount) AS s FROM orders JOIN customers ON customer = cid GROUP BY region',
    (e) =>
      o(e)
        .join(e.from('customers'), $('customer').isEqual($('cid')))
        .groupBy($('region'))
        .select($('region'), $('amount').sum.as('s')),
  ],
  'join-interval': [
    "SELECT id, name FROM orders JOIN customers ON customer = cid AND ts BETWEEN cts - INTERVAL '1' HOUR AND cts",
    (e) =>
      o(e)
        .join(
          e.from('customers'),
          $('customer')
            .isEqual($('cid'))
            .and($('ts').between($('cts').minus(lit(1).hours()), $('cts'))),
        )
        .select($('id'), $('name')),
  ],
  // table functions
  'lateral-join': [
    'SELECT lid, word, length FROM lines, LATERAL TABLE(split(line))',
    (e) =>
      e
        .from('lines')
        .joinLateral(call('split', $('line')))
        .select($('lid'), $('word'), $('length')),
  ],
  'lateral-join-renamed': [
    'SELECT lid, w FROM lines, LATERAL TABLE(split(line)) AS T(w, n)',
    (e) =>
      e
        .from('lines')
        .joinLateral(call('split', $('line')).as('w', 'n'))
        .select($('lid'), $('w')),
  ],
  'lateral-join-condition': [
    'SELECT lid, word FROM lines JOIN LATERAL TABLE(split(line)) ON length > 3',
    (e) =>
      e
        .from('lines')
        .joinLateral(call('split', $('line')), $('length').isGreater(3))
        .select($('lid'), $('word')),
  ],
  'lateral-left-join': [
    'SELECT lid, word FROM lines LEFT JOIN LATERAL TABLE(split(line)) ON TRUE',
    (e) =>
      e
        .from('lines')
        .leftOuterJoinLateral(call('split', $('line')))
        .select($('lid'), $('word')),
  ],
  'flat-map': [
    'SELECT T.* FROM lines, LATERAL TABLE(split(line)) AS T',
    (e) => e.from('lines').flatMap(call('split', $('line'))),
  ],
  'lateral-then-group': [
    'SELECT word, COUNT(lid) AS n FROM lines, LATERAL TABLE(split(line)) GROUP BY word',
    (e) =>
      e
        .from('lines')
        .joinLateral(call('split', $('line')))
        .groupBy($('word'))
        .select($('word'), $('lid').count.as('n')),
  ],
  // set operations, sort, limit
  'union-all': [
    'SELECT id FROM orders UNION ALL SELECT CAST(cid AS BIGINT) FROM customers',
    (e) =>
      o(e)
        .select($('id'))
        .unionAll(e.from('customers').select($('cid').cast(DataTypes.BIGINT()))),
  ],
  union: [
    'SELECT id FROM orders UNION SELECT CAST(cid AS BIGINT) FROM customers',
    (e) =>
      o(e)
        .select($('id'))
        .union(e.from('customers').select($('cid').cast(DataTypes.BIGINT()))),
  ],
  intersect: [
    'SELECT customer FROM orders INTERSECT SELECT cid FROM customers',
    (e) =>
      o(e)
        .select($('customer'))
        .intersect(e.from('customers').select($('cid'))),
  ],
  minus: [
    'SELECT customer FROM orders EXCEPT SELECT cid FROM customers',
    (e) =>
      o(e)
        .select($('customer'))
        .minus(e.from('customers').select($('cid'))),
  ],
  'order-by-time': ['SELECT * FROM orders ORDER BY ts', (e) => o(e).orderBy($('ts'))],
  'order-by-limit': [
    'SELECT * FROM orders ORDER BY amount DESC LIMIT 5',
    (e) => o(e).orderBy($('amount').desc()).fetch(5),
  ],
  'limit-only': ['SELECT * FROM orders LIMIT 3', (e) => o(e).limit(3)],
  'offset-fetch': [
    'SELECT * FROM orders ORDER BY amount OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY',
    (e) => o(e).orderBy($('amount')).offset(2).fetch(3),
  ],
};

function planOf(explain: string): string {
  const at = explain.indexOf('== Optimized Logical Plan ==');
  const end = explain.indexOf('== Job Graph ==');
  return explain.slice(at, end < 0 ? undefined : end).trim();
}

describe('SQL and Table API give the same plan (golden/table-api)', () => {
  it('has at least 60 pairs', () => expect(Object.keys(PAIRS).length).toBeGreaterThanOrEqual(60));
  for (const [name, [sql, program]] of Object.entries(PAIRS)) {
    it(name, () => {
      const e = env();
      const sqlPlan = planOf(e.explainSql(sql));
      const table = program(e);
      const tablePlan = planOf(table.explain());
      expect(tablePlan).toBe(sqlPlan);
      // The program as written, without the module-import wrappers the test transform adds around imported names.
      const code = program
        .toString()
        .replace(/\(0,\s*__vite_ssr_import_\d+__\.([\w$]+)\)/g, '$1')
        .replace(/__vite_ssr_import_\d+__\./g, '');
      const text = `-- SQL\n${sql}\n-- Table API\n${code}\n${tablePlan}\n`;
      const file = join(dir, `${name}.txt`);
      if (UPDATE || !existsSync(file)) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
