// LATERAL subqueries: the decorrelated plan (a join, as Calcite's RelDecorrelator makes it in Flink's subquery
// rewrite phase) and the shapes that are refused by name. The results on data are in test/sql/lateral.slt.
import { describe, expect, it } from 'vitest';
import { SqlError, TableEnvironment } from '../../index.js';

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql("CREATE TABLE customers (id INT, name STRING) WITH ('connector' = 'datagen')");
  e.executeSql(
    "CREATE TABLE orders (id INT, customer INT, amount DECIMAL(10, 2)) WITH ('connector' = 'datagen')",
  );
  return e;
}

function physical(sql: string): string {
  const plan = env().explainSql(sql);
  return plan
    .slice(plan.indexOf('== Optimized Physical Plan ==') + 30, plan.indexOf('== Job Graph =='))
    .trim();
}

function formatted(sql: string): string {
  try {
    env().explainSql(sql);
  } catch (err) {
    if (err instanceof SqlError) return err.format().split('\n')[0] as string;
    throw err;
  }
  return 'no error';
}

describe('LATERAL subqueries are decorrelated into joins', () => {
  it('comma LATERAL: the correlation is the join key, the own WHERE terms filter the subquery input', () => {
    expect(
      physical(
        "SELECT o.id, x.name FROM orders o, LATERAL (SELECT c.name FROM customers c WHERE c.id = o.customer AND c.name <> 'x') AS x",
      ),
    ).toBe(
      [
        'StreamSink(collect, fields=[id, name], changelogMode=[I])',
        '   +- StreamCalc(select=[id, name], changelogMode=[I])',
        '      +- StreamJoin(joinType=[InnerJoin], where=[=(customer, id)], select=[id, customer, id, name], changelogMode=[I])',
        '         +- StreamExchange(distribution=[hash[customer]], changelogMode=[I])',
        '            +- StreamTableSourceScan(table=[[default_catalog.default_database.orders, project=[id, customer]]], fields=[id, customer], changelogMode=[I])',
        '         +- StreamExchange(distribution=[hash[id]], changelogMode=[I])',
        "            +- StreamTableSourceScan(table=[[default_catalog.default_database.customers, filter=[<>(name, _UTF-16LE'x')]]], fields=[id, name], changelogMode=[I])",
      ].join('\n'),
    );
  });

  it('LEFT JOIN LATERAL ... ON TRUE is a left join on the correlation', () => {
    expect(
      physical(
        'SELECT o.id, x.name FROM orders o LEFT JOIN LATERAL (SELECT c.name FROM customers c WHERE c.id = o.customer) AS x ON TRUE',
      ),
    ).toContain('StreamJoin(joinType=[LeftOuterJoin], where=[=(customer, id)]');
  });

  it('a subquery of aggregates is grouped by its correlation keys and left-joined (one row per left row)', () => {
    const p = physical(
      'SELECT c.id, x.n FROM customers c, LATERAL (SELECT COUNT(*) AS n FROM orders o WHERE o.customer = c.id) AS x',
    );
    expect(p).toContain('StreamJoin(joinType=[LeftOuterJoin]');
    expect(p).toContain('StreamGroupAggregate(groupBy=[customer], select=[customer, COUNT(*) AS EXPR$0]');
    expect(p).toContain('StreamCalc(select=[id, COALESCE($v0, 0) AS n]');
  });
});

describe('LATERAL subqueries: unsupported shapes are refused by name', () => {
  it.each([
    [
      'RIGHT JOIN',
      'SELECT o.id FROM orders o RIGHT JOIN LATERAL (SELECT c.name FROM customers c WHERE c.id = o.customer) AS x ON TRUE',
      '<sql>:1:18: RIGHT JOIN LATERAL (only INNER, CROSS, comma and LEFT) is not supported',
    ],
    [
      'GROUP BY',
      'SELECT o.id FROM orders o, LATERAL (SELECT c.name, COUNT(*) AS n FROM customers c WHERE c.id = o.customer GROUP BY c.name) AS x',
      '<sql>:1:28: LATERAL subqueries with GROUP BY, HAVING or DISTINCT (decorrelated: SELECT … FROM … WHERE …, optionally of aggregates only) is not supported',
    ],
    [
      'LEFT with an item reading the left side',
      'SELECT o.id FROM orders o LEFT JOIN LATERAL (SELECT o.amount AS v FROM customers c WHERE c.id = o.customer) AS x ON TRUE',
      '<sql>:1:37: LATERAL subqueries under LEFT JOIN whose SELECT list reads the left side (decorrelated: SELECT … FROM … WHERE …, optionally of aggregates only) is not supported',
    ],
    [
      'aggregates correlated by a non-equality',
      'SELECT c.id FROM customers c, LATERAL (SELECT COUNT(*) AS n FROM orders o WHERE o.customer > c.id) AS x',
      '<sql>:1:31: LATERAL subqueries of aggregates correlated other than by inner = outer equalities (decorrelated: SELECT … FROM … WHERE …, optionally of aggregates only) is not supported',
    ],
  ])('%s', (_name, sql, message) => {
    expect(formatted(sql)).toBe(message);
  });
});
