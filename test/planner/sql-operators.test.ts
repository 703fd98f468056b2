// SQL end to end through the planner and the runtime operators: exact changelogs of the operators Flink
// documents (group aggregation, window TVF aggregation, Top-N, deduplication, joins), the same final tables at
// parallelism 1 and 2 and in batch mode, and the planning errors a user meets (ungrouped columns, a sink that
// cannot take updates, ROW_NUMBER without a Top-N filter).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FactoryRegistry,
  RowKind,
  Schema,
  TableEnvironment,
  Types,
  batchFromRows,
  formatValueText,
  type DynamicTableFactory,
  type SourceReader,
  type StreamElement,
} from '../../index.js';

let dir = '';

// The Bid table of Flink's window TVF pages (docs/dev/table/sql/queries/window-tvf and window-agg).
const BIDS = [
  '2020-04-15 08:05:00,4.00,C,supplier1',
  '2020-04-15 08:07:00,2.00,A,supplier1',
  '2020-04-15 08:09:00,5.00,D,supplier2',
  '2020-04-15 08:11:00,3.00,B,supplier2',
  '2020-04-15 08:13:00,1.00,E,supplier1',
  '2020-04-15 08:17:00,6.00,F,supplier2',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-sql-ops-'));
  writeFileSync(join(dir, 'bids.csv'), BIDS.join('\n') + '\n');
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
  // Flink's "Event Time Temporal Join" docs example (docs/dev/table/sql/queries/joins).
  writeFileSync(
    join(dir, 'rates.csv'),
    ['2020-01-01 09:00:00,US Dollar,102', '2020-01-01 09:00:00,Euro,114', '2020-01-01 09:00:00,Yen,1', '2020-01-01 10:45:00,Euro,116', '2020-01-01 11:15:00,Euro,119', '2020-01-01 11:49:00,Pounds,108'].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'fx-orders.csv'),
    ['2020-01-01 10:15:00,2,Euro', '2020-01-01 10:30:00,1,US Dollar', '2020-01-01 10:32:00,50,Yen', '2020-01-01 10:52:00,3,Euro', '2020-01-01 11:04:00,5,US Dollar'].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'shipments.csv'),
    ['1,2020-01-01 00:00:03', '3,2020-01-01 00:00:30', '4,2020-01-01 00:00:21'].join('\n') + '\n',
  );
});

function env(config: Record<string, string> = {}): TableEnvironment {
  const e = TableEnvironment.create({ config });
  e.executeSql(
    `CREATE TABLE Bid (bidtime TIMESTAMP(3), price DECIMAL(10, 2), item STRING, supplier_id STRING, WATERMARK FOR bidtime AS bidtime - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'bids.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE words (w STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'words.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE orders (id INT, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'orders.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE shipments (order_id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'shipments.csv')}', 'format' = 'csv')`,
  );
  return e;
}

async function changelog(e: TableEnvironment, sql: string): Promise<string[]> {
  const r = e.executeSql(sql);
  const schema = r.schema;
  const out: string[] = [];
  for await (const c of r.changes())
    out.push(
      `${c.kind}[${c.values.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema!.field(i).type))).join(', ')}]`,
    );
  return out;
}

async function table(e: TableEnvironment, sql: string): Promise<string[]> {
  const r = e.executeSql(sql);
  const schema = r.schema!;
  return (await r.materialize())
    .map((row) =>
      row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema.field(i).type))).join(', '),
    )
    .sort();
}

describe('group aggregation', () => {
  it('emits +I for a new key and -U/+U for each change (Flink GroupAggFunction)', async () => {
    expect(await changelog(env(), 'SELECT w, COUNT(*) AS c, SUM(n) AS s FROM words GROUP BY w')).toEqual([
      '+I[a, 1, 1]',
      '+I[b, 1, 2]',
      '-U[a, 1, 1]',
      '+U[a, 2, 4]',
      '+I[c, 1, 4]',
      '-U[a, 2, 4]',
      '+U[a, 3, 9]',
      '-U[b, 1, 2]',
      '+U[b, 2, 8]',
    ]);
  });

  it('HAVING filters groups, and a global aggregate without GROUP BY updates one row', async () => {
    expect(await table(env(), 'SELECT w, MAX(n) FROM words GROUP BY w HAVING COUNT(*) > 1')).toEqual([
      'a, 5',
      'b, 6',
    ]);
    expect(await table(env(), 'SELECT COUNT(*), MIN(n), AVG(n) FROM words')).toEqual(['6, 1, 3']);
  });

  it('DISTINCT aggregates, FILTER and SELECT DISTINCT', async () => {
    expect(await table(env(), 'SELECT COUNT(DISTINCT w), COUNT(*) FILTER (WHERE n > 2) FROM words')).toEqual([
      '3, 4',
    ]);
    expect(await table(env(), 'SELECT DISTINCT w FROM words')).toEqual(['a', 'b', 'c']);
  });

  it('batch mode emits the final table only, and can write it into an append-only sink', async () => {
    const e = env({ 'execution.runtime-mode': 'batch' });
    expect((await changelog(e, 'SELECT w, COUNT(*) FROM words GROUP BY w')).sort()).toEqual(['+I[a, 3]', '+I[b, 2]', '+I[c, 1]']);
    e.executeSql(`CREATE TABLE counts (w STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'counts')}', 'format' = 'csv')`);
    await e.executeSql('INSERT INTO counts SELECT w, COUNT(*) FROM words GROUP BY w').await();
    expect(await table(e, 'SELECT * FROM counts')).toEqual(['a, 3', 'b, 2', 'c, 1']);
  });

  it('two-phase (local-global) aggregation gives the same table (table.optimizer.agg-phase-strategy)', async () => {
    const q = 'SELECT w, COUNT(*), SUM(n), MAX(n), AVG(n), COUNT(DISTINCT n) FROM words GROUP BY w';
    const mini = { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '1 s', 'table.exec.mini-batch.size': '1000' };
    const two = env({ 'table.optimizer.agg-phase-strategy': 'TWO_PHASE', 'parallelism.default': '2', ...mini });
    expect(two.explainSql(q)).toContain('StreamLocalGroupAggregate(');
    // Flink's TwoStageOptimizedAggregateRule matches only with mini-batch on: TWO_PHASE alone plans one phase.
    expect(env({ 'table.optimizer.agg-phase-strategy': 'TWO_PHASE', 'parallelism.default': '2' }).explainSql(q)).not.toContain('StreamLocalGroupAggregate(');
    expect(await table(two, q)).toEqual(await table(env(), q));
    // AUTO splits only with mini-batch on, as in Flink; FIRST_VALUE cannot be split and stays one-phase.
    // (mini-batch needs its latency and size, as in Flink)
    expect(env({ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '1 s', 'table.exec.mini-batch.size': '1000' }).explainSql(q)).toContain('StreamGlobalGroupAggregate(');
    expect(env().explainSql(q)).not.toContain('StreamLocalGroupAggregate(');
    expect(two.explainSql('SELECT w, FIRST_VALUE(n) FROM words GROUP BY w')).not.toContain('StreamLocalGroupAggregate(');
  });

  it('names a column that is neither grouped nor aggregated', () => {
    expect(() => env().executeSql('SELECT w, n FROM words GROUP BY w')).toThrow(
      "Expression 'n' is not being grouped",
    );
  });

  it('gives the same final table at parallelism 2 and in batch mode', async () => {
    const q = 'SELECT w, COUNT(*), SUM(n) FROM words GROUP BY w';
    const p1 = await table(env(), q);
    expect(await table(env({ 'parallelism.default': '2' }), q)).toEqual(p1);
    expect(await table(env({ 'execution.runtime-mode': 'batch' }), q)).toEqual(p1);
  });
});

describe('window TVF aggregation (Flink docs, Bid table)', () => {
  it("TUMBLE: one final row per window (with the docs' plural INTERVAL unit)", async () => {
    expect(
      await changelog(
        env(),
        "SELECT window_start, window_end, SUM(price) AS total_price FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end",
      ),
    ).toEqual([
      '+I[2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, 11.00]',
      '+I[2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, 10.00]',
    ]);
  });

  it('HOP and CUMULATE', async () => {
    expect(
      await table(
        env(),
        "SELECT window_start, window_end, SUM(price) FROM TABLE(HOP(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end",
      ),
    ).toEqual([
      '2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, 11.00',
      '2020-04-15 08:05:00.000, 2020-04-15 08:15:00.000, 15.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, 10.00',
      '2020-04-15 08:15:00.000, 2020-04-15 08:25:00.000, 6.00',
    ]);
    expect(
      await table(
        env(),
        "SELECT window_start, window_end, SUM(price) FROM TABLE(CUMULATE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end",
      ),
    ).toEqual([
      '2020-04-15 08:00:00.000, 2020-04-15 08:06:00.000, 4.00',
      '2020-04-15 08:00:00.000, 2020-04-15 08:08:00.000, 6.00',
      '2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, 11.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:12:00.000, 3.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:14:00.000, 4.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:16:00.000, 4.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:18:00.000, 10.00',
      '2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, 10.00',
    ]);
  });

  it('cascading windows: window_time of a window aggregate is a rowtime for the next window (Flink docs)', async () => {
    const q = `WITH w1 AS (SELECT window_time AS t, supplier_id, SUM(price) AS p FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, window_time, supplier_id)
      SELECT window_start, window_end, SUM(p) FROM TABLE(TUMBLE(TABLE w1, DESCRIPTOR(t), INTERVAL '10' MINUTE)) GROUP BY window_start, window_end`;
    expect(await table(env(), q)).toEqual(['2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, 11.00', '2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, 10.00']);
  });

  it('legacy GROUP BY TUMBLE(...) with TUMBLE_START/TUMBLE_END', async () => {
    expect(
      await table(
        env(),
        "SELECT supplier_id, TUMBLE_START(bidtime, INTERVAL '10' MINUTE), COUNT(*) FROM Bid GROUP BY supplier_id, TUMBLE(bidtime, INTERVAL '10' MINUTE)",
      ),
    ).toEqual([
      'supplier1, 2020-04-15 08:00:00.000, 2',
      'supplier1, 2020-04-15 08:10:00.000, 1',
      'supplier2, 2020-04-15 08:00:00.000, 1',
      'supplier2, 2020-04-15 08:10:00.000, 2',
    ]);
  });

  it('window Top-N: the top 2 suppliers by price per window (Flink docs)', async () => {
    const q = `SELECT * FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rownum
        FROM (SELECT window_start, window_end, supplier_id, SUM(price) AS price, COUNT(*) AS cnt
              FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTE))
              GROUP BY window_start, window_end, supplier_id)
      ) WHERE rownum <= 2`;
    expect(await table(env(), q)).toEqual([
      '2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, supplier1, 6.00, 2, 1',
      '2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, supplier2, 5.00, 1, 2',
      '2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, supplier1, 1.00, 1, 2',
      '2020-04-15 08:10:00.000, 2020-04-15 08:20:00.000, supplier2, 9.00, 2, 1',
    ]);
    expect(env().explainSql(q)).toContain('StreamWindowRank(');
  });

  it('rejects a window over a column that is not a time attribute', () => {
    expect(() =>
      env().executeSql("SELECT * FROM TABLE(TUMBLE(TABLE words, DESCRIPTOR(n), INTERVAL '1' MINUTE))"),
    ).toThrow('requires the time column');
  });
});

describe('Top-N and deduplication', () => {
  it('keeps the top row per key, retracting the old one (Flink AppendOnlyTopNFunction)', async () => {
    expect(
      await changelog(
        env(),
        'SELECT w, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY w ORDER BY n DESC) AS rn FROM words) WHERE rn = 1',
      ),
    ).toEqual([
      '+I[a, 1]',
      '+I[b, 2]',
      '-D[a, 1]',
      '+I[a, 3]',
      '+I[c, 4]',
      '-D[a, 3]',
      '+I[a, 5]',
      '-D[b, 2]',
      '+I[b, 6]',
    ]);
  });

  it('ORDER BY ... LIMIT is a global Top-N; ORDER BY a rowtime sorts by event time', async () => {
    expect(await table(env(), 'SELECT w, n FROM words ORDER BY n DESC LIMIT 2')).toEqual(['a, 5', 'b, 6']);
    expect(await changelog(env(), 'SELECT id, ts FROM orders ORDER BY ts')).toEqual([
      '+I[1, 2020-01-01 00:00:01.000]',
      '+I[2, 2020-01-01 00:00:02.000]',
      '+I[3, 2020-01-01 00:00:09.000]',
      '+I[4, 2020-01-01 00:00:20.000]',
    ]);
    expect(() => env().executeSql('SELECT id, amount FROM orders ORDER BY amount')).toThrow(
      'ORDER BY must start with a rowtime attribute',
    );
  });

  it('ROW_NUMBER = 1 ordered by a rowtime is a deduplication', async () => {
    const q =
      'SELECT id, amount FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY amount ORDER BY ts ASC) AS rn FROM orders) WHERE rn = 1';
    expect(env().explainSql(q)).toContain('StreamDeduplicate(keep=[FirstRow], key=[amount], order=[ROWTIME]');
    expect(await table(env(), q)).toEqual(['1, 10', '2, 20', '4, 30']);
  });

  it('ROW_NUMBER without a filter on it is refused with the reason', () => {
    expect(() => env().executeSql('SELECT w, ROW_NUMBER() OVER (ORDER BY n) FROM words')).toThrow(
      'outside a Top-N query',
    );
  });
});

describe('joins', () => {
  it('a LEFT JOIN pads, then retracts the padded row when the match arrives', async () => {
    const out = await changelog(
      env(),
      'SELECT o.id, s.order_id FROM orders o LEFT JOIN shipments s ON o.id = s.order_id',
    );
    // Either input may run first; the folded table is fixed, and every retraction follows what it retracts.
    expect(out.filter((c) => c.startsWith('+')).length - out.filter((c) => c.startsWith('-')).length).toBe(4);
    expect(
      await table(env(), 'SELECT o.id, s.order_id FROM orders o LEFT JOIN shipments s ON o.id = s.order_id'),
    ).toEqual(['1, 1', '2, NULL', '3, 3', '4, 4']);
  });

  it('time bounds on both rowtimes make an interval join, with insert-only output', async () => {
    const q =
      "SELECT o.id, s.ts FROM orders o, shipments s WHERE o.id = s.order_id AND s.ts BETWEEN o.ts AND o.ts + INTERVAL '5' SECOND";
    expect(env().explainSql(q)).toContain('StreamIntervalJoin(');
    expect(await table(env(), q)).toEqual(['1, 2020-01-01 00:00:03.000', '4, 2020-01-01 00:00:21.000']);
  });

  it('a join of two window TVFs on window_start and window_end is a window join', async () => {
    const q = `SELECT L.id, R.order_id FROM
      (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND))) L
      JOIN (SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(ts), INTERVAL '10' SECOND))) R
      ON L.id = R.order_id AND L.window_start = R.window_start AND L.window_end = R.window_end`;
    expect(env().explainSql(q)).toContain('StreamWindowJoin(');
    expect(await table(env(), q)).toEqual(['1, 1', '4, 4']);
  });
});

describe('subqueries', () => {
  it('IN (SELECT …) is a semi join, NOT EXISTS an anti join, correlated ones decorrelate; NOT IN a null-aware anti join', async () => {
    const e = env();
    const inQ = 'SELECT id, amount FROM orders WHERE amount > 5 AND id IN (SELECT order_id FROM shipments)';
    expect(e.explainSql(inQ)).toContain('joinType=[LeftSemiJoin]');
    expect(await table(e, inQ)).toEqual(['1, 10', '3, 10', '4, 30']);
    expect(await table(e, 'SELECT id FROM orders WHERE id + 0 IN (SELECT order_id FROM shipments WHERE order_id > 1)')).toEqual(['3', '4']);
    expect(await table(e, 'SELECT id FROM orders WHERE EXISTS (SELECT * FROM shipments WHERE order_id = 4)')).toEqual(['1', '2', '3', '4']);
    expect(await table(e, 'SELECT id FROM orders WHERE NOT EXISTS (SELECT * FROM shipments WHERE order_id = 99)')).toEqual(['1', '2', '3', '4']);
    // NOT IN: an anti join on `id = order_id OR order_id IS NULL` (a NULL in the subquery empties the result).
    expect(await table(e, 'SELECT id FROM orders WHERE id NOT IN (SELECT order_id FROM shipments)')).toEqual(['2']);
    expect(await table(e, 'SELECT id FROM orders WHERE id NOT IN (SELECT CAST(NULL AS INT) FROM shipments)')).toEqual([]);
    // An uncorrelated scalar subquery in WHERE (updates as the subquery's result changes).
    expect(await table(e, 'SELECT id FROM orders WHERE amount > (SELECT AVG(amount) FROM orders)')).toEqual(['2', '4']);
    // Correlated EXISTS / IN over a plain SELECT … WHERE are decorrelated into semi/anti joins on the correlation.
    expect(await table(e, 'SELECT id FROM orders o WHERE EXISTS (SELECT * FROM shipments s WHERE s.order_id = o.id)')).toEqual(['1', '3', '4']);
    expect(await table(e, 'SELECT id FROM orders o WHERE NOT EXISTS (SELECT * FROM shipments s WHERE s.order_id = o.id AND s.order_id > 1)')).toEqual(['1', '2']);
    expect(await table(e, 'SELECT id FROM orders o WHERE o.id IN (SELECT s.order_id FROM shipments s WHERE s.ts > o.ts)')).toEqual(['1', '3', '4']);
    expect(() => e.executeSql('SELECT id FROM orders o WHERE EXISTS (SELECT COUNT(*) FROM shipments s WHERE s.order_id = o.id)')).toThrow('correlated subqueries of this form');
  });
});

describe('temporal join', () => {
  it('joins each order with the rate valid at its time (Flink docs example)', async () => {
    const e = env();
    e.executeSql(
      `CREATE TABLE currency_rates (update_time TIMESTAMP(3), currency STRING, conversion_rate INT, PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR update_time AS update_time) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.csv')}', 'format' = 'csv')`,
    );
    e.executeSql(
      `CREATE TABLE fx_orders (order_time TIMESTAMP(3), amount INT, currency STRING, WATERMARK FOR order_time AS order_time) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'fx-orders.csv')}', 'format' = 'csv')`,
    );
    const q = 'SELECT o.order_time, o.amount, o.currency, r.conversion_rate FROM fx_orders AS o JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency';
    expect(e.explainSql(q)).toContain('StreamTemporalJoin(');
    expect(await table(e, q)).toEqual([
      '2020-01-01 10:15:00.000, 2, Euro, 114',
      '2020-01-01 10:30:00.000, 1, US Dollar, 102',
      '2020-01-01 10:32:00.000, 50, Yen, 1',
      '2020-01-01 10:52:00.000, 3, Euro, 116',
      '2020-01-01 11:04:00.000, 5, US Dollar, 102',
    ]);
    expect(() => e.executeSql('SELECT * FROM fx_orders AS o JOIN fx_orders FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency')).toThrow('requires a primary key');
  });
});

describe('exact BIGINT literals', () => {
  it('keeps a literal beyond 2^53 exact (the Calc runs in BigInt mode for it)', async () => {
    expect(await table(env(), 'SELECT 9007199254740993 AS y, 9007199254740993 + n AS z FROM words WHERE n = 1')).toEqual(['9007199254740993, 9007199254740994']);
  });
});

describe('upsert sources', () => {
  it('an upsert changelog is completed by ChangelogNormalize before an aggregation (Flink inserts it too)', async () => {
    // An upsert source: +I/+U by key, and a delete that carries only the key (as a Kafka tombstone).
    const schema = new Schema([
      { name: 'k', type: Types.STRING(false) },
      { name: 'v', type: Types.INT() },
    ]);
    const upsert: DynamicTableFactory = {
      identifier: 'test-upsert',
      options: [],
      sourceChangelogMode: () => 'upsert',
      createSource: (): SourceReader => ({
        outputSchema: schema,
        async *read(): AsyncGenerator<StreamElement> {
          const rows: [string, number | null, RowKind][] = [
            ['a', 1, RowKind.INSERT],
            ['b', 2, RowKind.INSERT],
            ['a', 5, RowKind.UPDATE_AFTER],
            ['b', null, RowKind.DELETE],
          ];
          for (const [k, v, kind] of rows) yield { kind: 'batch', batch: batchFromRows(schema, [[k, v]], [kind]) };
          yield { kind: 'end' };
        },
        async close() {},
      }),
    };
    const factories = new FactoryRegistry();
    factories.register(upsert);
    const e = TableEnvironment.create({ factories });
    e.executeSql("CREATE TABLE u (k STRING NOT NULL, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'test-upsert')");
    expect(e.explainSql('SELECT SUM(v) FROM u')).toContain('StreamChangelogNormalize(key=[k]');
    expect(await changelog(e, 'SELECT * FROM u')).toEqual(['+I[a, 1]', '+I[b, 2]', '-U[a, 1]', '+U[a, 5]', '-D[b, 2]']);
    expect(await table(e, 'SELECT SUM(v), COUNT(*) FROM u')).toEqual(['5, 1']);
  });
});

describe('sinks and changelog modes', () => {
  it('refuses to write updates into an insert-only sink, naming the operator that produces them', () => {
    const e = env();
    e.executeSql(
      `CREATE TABLE out_csv (w STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'out')}', 'format' = 'csv')`,
    );
    expect(() => e.executeSql('INSERT INTO out_csv SELECT w, COUNT(*) FROM words GROUP BY w')).toThrow(
      "Table sink 'default_catalog.default_database.out_csv' (connector 'filesystem') accepts only inserts, but the query produces updates and deletes from the GROUP BY aggregation (StreamGroupAggregate)",
    );
  });

  it('EXPLAIN JSON_EXECUTION_PLAN adds the job graph as JSON', async () => {
    const [[text]] = (await env({ 'parallelism.default': '2' }).executeSql('EXPLAIN JSON_EXECUTION_PLAN SELECT w, COUNT(*) FROM words GROUP BY w').materialize()) as [[string]];
    const json = JSON.parse(text.slice(text.indexOf('{', text.indexOf('== JSON Execution Plan =='))).split('\n\n== ')[0] as string) as { nodes: { id: number; parallelism: number; predecessors?: { ship_strategy: string }[] }[] };
    // The filesystem source splits (a file a split), so it runs at parallelism.default like the aggregate.
    expect(json.nodes.map((n) => n.parallelism)).toEqual([2, 2, 1]);
    expect(json.nodes[1]?.predecessors?.[0]?.ship_strategy).toBe('HASH[w]');
  });

  it('EXPLAIN shows changelog modes and warns about unbounded state', () => {
    const plan = env().explainSql('SELECT w, COUNT(*) FROM words GROUP BY w');
    expect(plan).toContain(
      'StreamGroupAggregate(groupBy=[w], select=[w, COUNT(*) AS EXPR$0], changelogMode=[I,UB,UA,D])',
    );
    expect(plan).toContain('StreamExchange(distribution=[hash[w]], changelogMode=[I])');
    expect(plan).toContain('[WARNING] StreamGroupAggregate keeps state for every key forever');
    expect(
      env({ 'table.exec.state.ttl': '1 h' }).explainSql('SELECT w, COUNT(*) FROM words GROUP BY w'),
    ).not.toContain('[WARNING]');
  });
});

describe('set operations and WITH', () => {
  it('INTERSECT and EXCEPT, distinct and ALL (rows replicated by their counts, as Flink rewrites them)', async () => {
    expect(await table(env(), 'SELECT UPPER(w) FROM words INTERSECT SELECT item FROM Bid')).toEqual(['A', 'B', 'C']);
    expect(await table(env(), 'SELECT item FROM Bid EXCEPT SELECT UPPER(w) FROM words')).toEqual(['D', 'E', 'F']);
    expect(await table(env({ 'parallelism.default': '2' }), 'SELECT item FROM Bid EXCEPT SELECT UPPER(w) FROM words')).toEqual(['D', 'E', 'F']);
    const words = await table(env(), 'SELECT w FROM words');
    expect(await table(env(), 'SELECT w FROM words INTERSECT ALL SELECT w FROM words')).toEqual(words);
    expect(await table(env(), 'SELECT w FROM words EXCEPT ALL SELECT w FROM words')).toEqual([]);
    expect(await table(env(), 'SELECT w FROM words EXCEPT ALL SELECT DISTINCT w FROM words')).toHaveLength(words.length - new Set(words).size);
  });

  it('UNION ALL, UNION and WITH', async () => {
    expect(
      await table(env(), 'SELECT w FROM words WHERE n < 3 UNION ALL SELECT w FROM words WHERE n > 4'),
    ).toEqual(['a', 'a', 'b', 'b']);
    expect(await table(env(), 'SELECT w FROM words UNION SELECT item FROM Bid WHERE price > 5')).toEqual([
      'F',
      'a',
      'b',
      'c',
    ]);
    expect(
      await table(
        env(),
        'WITH big AS (SELECT * FROM words WHERE n > 3) SELECT w, COUNT(*) FROM big GROUP BY w',
      ),
    ).toEqual(['a, 1', 'b, 1', 'c, 1']);
  });
});
