// A continuous query written with the fluent Table API instead of SQL text. A datagen table of trades (a
// sequence id, a random symbol index and price, and an event time one second apart) is declared with SQL DDL;
// the query counts and sums trades per symbol in 10-second tumbling windows and keeps the busy windows. The
// same query in SQL binds to the same logical plan (compare `busy.explain()` with `env.explainSql(...)`).
//
//   npx tsx examples/table-api.ts
//
// Drop 'number-of-rows' to let it run forever: results arrive as each window's watermark passes.
import { $, DataTypes, lit, TableEnvironment, Tumble } from '../index.js';

const env = TableEnvironment.create({ mode: 'streaming' });
env.executeSql(`
  CREATE TABLE trades (
    id BIGINT,
    sym INT,
    price INT,
    ts AS TO_TIMESTAMP_LTZ(id * 1000, 3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
  ) WITH (
    'connector' = 'datagen', 'rows-per-second' = '1000', 'number-of-rows' = '60',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '59',
    'fields.sym.min' = '0', 'fields.sym.max' = '2',
    'fields.price.min' = '1', 'fields.price.max' = '100'
  )`);

/** The rows of the result, typed from the declared columns. */
interface WindowStats {
  symbol: string;
  /** TIMESTAMP(3) values are epoch milliseconds. */
  window_start: number;
  /** COUNT is BIGINT, exact: a bigint. */
  trades: bigint;
  /** SUM(INT) is INT, as in Flink. */
  volume: number;
}

/** `'SYM-' || CAST(sym AS STRING)`: expressions are built as values, never spliced into SQL text. */
const symbol = lit('SYM-').concat($('sym').cast(DataTypes.STRING()));

const busy = env
  .from('trades')
  .select($('sym'), $('price'), $('ts'))
  .addColumns(symbol.as('symbol'))
  .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
  .groupBy($('w'), $('symbol'))
  .select(
    $('symbol'),
    $('w').start().as('window_start'),
    $('price').count.as('trades'),
    $('price').sum.as('volume'),
  )
  .where($('trades').isGreaterOrEqual(3));

console.log(busy.getResolvedSchema().toString());
for await (const row of busy.execute().collect()) {
  const r = row as unknown as WindowStats;
  console.log(
    `${r.symbol}  ${new Date(r.window_start).toISOString()}  trades=${r.trades}  volume=${r.volume}`,
  );
}
